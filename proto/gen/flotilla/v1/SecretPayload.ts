// Original file: proto/flotilla/v1/dispatcher.proto


export interface SecretPayload {
  'id'?: (string);
  'kind'?: (string);
  'data'?: (Buffer | Uint8Array | string);
}

export interface SecretPayload__Output {
  'id': (string);
  'kind': (string);
  'data': (Buffer);
}
