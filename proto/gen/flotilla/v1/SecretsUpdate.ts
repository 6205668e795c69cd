// Original file: proto/flotilla/v1/dispatcher.proto

import type { SecretPayload as _flotilla_v1_SecretPayload, SecretPayload__Output as _flotilla_v1_SecretPayload__Output } from '../../flotilla/v1/SecretPayload.js';

export interface SecretsUpdate {
  'full'?: (boolean);
  'set'?: (_flotilla_v1_SecretPayload)[];
  'removed'?: (string)[];
}

export interface SecretsUpdate__Output {
  'full': (boolean);
  'set': (_flotilla_v1_SecretPayload__Output)[];
  'removed': (string)[];
}
