// Original file: proto/flotilla/v1/types.proto


export interface Platform {
  'os'?: (string);
  'architecture'?: (string);
}

export interface Platform__Output {
  'os': (string);
  'architecture': (string);
}
