// Original file: proto/flotilla/v1/dispatcher.proto


export interface LogLine {
  'stream'?: (string);
  'time'?: (string);
  'text'?: (string);
}

export interface LogLine__Output {
  'stream': (string);
  'time': (string);
  'text': (string);
}
