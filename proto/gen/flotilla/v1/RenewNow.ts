// Original file: proto/flotilla/v1/dispatcher.proto


export interface RenewNow {
  'reason'?: (string);
}

export interface RenewNow__Output {
  'reason': (string);
}
