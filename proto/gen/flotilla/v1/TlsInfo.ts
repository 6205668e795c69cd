// Original file: proto/flotilla/v1/dispatcher.proto


export interface TlsInfo {
  'certNotAfter'?: (string);
  'issuerKeyDigest'?: (string);
  'trustDigests'?: (string)[];
}

export interface TlsInfo__Output {
  'certNotAfter': (string);
  'issuerKeyDigest': (string);
  'trustDigests': (string)[];
}
