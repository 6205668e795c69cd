// One encoding for a message every session sends alike. The routing mesh's changes go to every
// agent unchanged, and grpc-js encodes each write on its own: at 1,000 sessions a round encoded
// the same addresses 1,000 times. A message passed through `encodeOnce` carries its bytes, which
// the Session method's serializer (installed by `withSharedEncoding`) sends as they are.
import type * as grpc from '@grpc/grpc-js';

const encoded = Symbol('encoded');
type Encoded = { [encoded]?: Buffer };

export interface SharedEncoding {
  /** The service definition to register: its Session serializer honours `encodeOnce`. */
  definition: grpc.ServiceDefinition;
  /** `msg`, carrying its encoding (do not change it afterwards). */
  encodeOnce<T extends object>(msg: T): T;
}

export function withSharedEncoding(service: grpc.ServiceDefinition): SharedEncoding {
  const session = service.Session;
  const serialize = session.responseSerialize as (value: unknown) => Buffer;
  return {
    definition: {
      ...service,
      Session: {
        ...session,
        responseSerialize: (msg: unknown) => (msg as Encoded)[encoded] ?? serialize(msg),
      },
    },
    encodeOnce: (msg) => Object.assign(msg, { [encoded]: serialize(msg) }),
  };
}
