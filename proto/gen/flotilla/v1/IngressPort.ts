// Original file: proto/flotilla/v1/dispatcher.proto


export interface IngressPort {
  'published'?: (number);
  'target'?: (number);
  'protocol'?: (string);
}

export interface IngressPort__Output {
  'published': (number);
  'target': (number);
  'protocol': (string);
}
