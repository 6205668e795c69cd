// The gRPC server's TLS identity as a grpc-js certificate provider, so that a renewed manager
// certificate or a new trust bundle reaches new connections without restarting the server (grpc-js
// calls setSecureContext on its http2 server; open sessions keep their connection).
import * as grpc from '@grpc/grpc-js';

type Tls = { certPem: string; keyPem: string; caCertPem: string };
type CaListener = grpc.experimental.CaCertificateUpdateListener;
type IdentityListener = grpc.experimental.IdentityCertificateUpdateListener;

export class ServerIdentityProvider implements grpc.experimental.CertificateProvider {
  private readonly caListeners = new Set<CaListener>();
  private readonly identityListeners = new Set<IdentityListener>();

  constructor(private tls: Tls) {}

  /** Mutual TLS: clients must present a certificate of the trust bundle. */
  serverCredentials(): grpc.ServerCredentials {
    return grpc.experimental.createCertificateProviderServerCredentials(this, this, true);
  }

  update(tls: Tls): void {
    this.tls = { ...tls };
    for (const l of this.caListeners) l(this.caUpdate());
    for (const l of this.identityListeners) l(this.identityUpdate());
  }

  // grpc-js adds its listeners while it builds the server and reads the result only on a later
  // update: the first answer is therefore given after the current turn.
  addCaCertificateListener(listener: CaListener): void {
    this.caListeners.add(listener);
    queueMicrotask(() => this.caListeners.has(listener) && listener(this.caUpdate()));
  }

  removeCaCertificateListener(listener: CaListener): void {
    this.caListeners.delete(listener);
  }

  addIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.add(listener);
    queueMicrotask(() => this.identityListeners.has(listener) && listener(this.identityUpdate()));
  }

  removeIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.delete(listener);
  }

  private caUpdate() {
    return { caCertificate: Buffer.from(this.tls.caCertPem) };
  }

  private identityUpdate() {
    return { certificate: Buffer.from(this.tls.certPem), privateKey: Buffer.from(this.tls.keyPem) };
  }
}
