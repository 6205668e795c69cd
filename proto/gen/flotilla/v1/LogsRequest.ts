// Original file: proto/flotilla/v1/dispatcher.proto


export interface LogsRequest {
  'requestId'?: (string);
  'containerId'?: (string);
  'tail'?: (number);
  'follow'?: (boolean);
  'since'?: (number | string);
  'cancel'?: (boolean);
}

export interface LogsRequest__Output {
  'requestId': (string);
  'containerId': (string);
  'tail': (number);
  'follow': (boolean);
  'since': (number);
  'cancel': (boolean);
}
