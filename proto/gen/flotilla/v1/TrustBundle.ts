// Original file: proto/flotilla/v1/dispatcher.proto


export interface TrustBundle {
  'caCertPem'?: (string);
}

export interface TrustBundle__Output {
  'caCertPem': (string);
}
