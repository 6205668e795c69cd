// Original file: proto/flotilla/v1/dispatcher.proto


export interface RenewRequest {
  'csrPem'?: (string);
}

export interface RenewRequest__Output {
  'csrPem': (string);
}
