// Original file: proto/flotilla/v1/dispatcher.proto


export interface AttachNetworkResponse {
  'attachmentId'?: (string);
  'networkJson'?: (string);
}

export interface AttachNetworkResponse__Output {
  'attachmentId': (string);
  'networkJson': (string);
}
