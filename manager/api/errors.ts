// Every failure leaves the API as { code, kind, message, hint } with the HTTP status of its kind.
import type { FastifyError, FastifyInstance } from 'fastify';
import { FlotillaError, httpStatusByKind, toFlotillaError } from '../../shared/errors/index.js';
import { etcdFailure, isEtcdError } from '../store/index.js';

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    let fe: FlotillaError;
    if (err.validation) {
      const v = err.validation[0];
      const field =
        `${err.validationContext ?? 'body'}${v?.instancePath?.replace(/\//g, '.') ?? ''}` +
        (v?.params && 'missingProperty' in v.params ? `.${String(v.params.missingProperty)}` : '');
      fe = new FlotillaError('INVALID_ARGUMENT', {
        detail: `${field}: ${v?.message ?? err.message}`,
      });
    } else if (err instanceof FlotillaError) fe = err;
    // A direct etcd read (leadership, the manager list) that failed: no quorum, or no store.
    else if (isEtcdError(err)) fe = etcdFailure(err, 'etcd');
    else if (err.statusCode && err.statusCode < 500)
      fe = new FlotillaError('INVALID_ARGUMENT', { detail: err.message });
    else fe = toFlotillaError(err);
    if (fe.kind === 'internal') request.log.error({ err }, 'request failed');
    else request.log.debug({ code: fe.code }, 'request refused');
    void reply.status(httpStatusByKind[fe.kind]).send(fe.toJSON());
  });
  app.setNotFoundHandler((request, reply) => {
    const fe = new FlotillaError('INVALID_ARGUMENT', {
      detail: `no route ${request.method} ${request.url.split('?')[0]}`,
    });
    void reply.status(404).send(fe.toJSON());
  });
}
