// Original file: proto/flotilla/v1/dispatcher.proto


export interface AttachNetworkRequest {
  'target'?: (string);
  'containerId'?: (string);
  'containerName'?: (string);
  'aliases'?: (string)[];
}

export interface AttachNetworkRequest__Output {
  'target': (string);
  'containerId': (string);
  'containerName': (string);
  'aliases': (string)[];
}
