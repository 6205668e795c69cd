// Original file: proto/flotilla/v1/dispatcher.proto


export interface IssuedCertificate {
  'certPem'?: (string);
  'caCertPem'?: (string);
  'errorJson'?: (string);
}

export interface IssuedCertificate__Output {
  'certPem': (string);
  'caCertPem': (string);
  'errorJson': (string);
}
