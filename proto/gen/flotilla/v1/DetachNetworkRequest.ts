// Original file: proto/flotilla/v1/dispatcher.proto


export interface DetachNetworkRequest {
  'attachmentId'?: (string);
}

export interface DetachNetworkRequest__Output {
  'attachmentId': (string);
}
