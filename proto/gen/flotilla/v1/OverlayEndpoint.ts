// Original file: proto/flotilla/v1/dispatcher.proto


export interface OverlayEndpoint {
  'address'?: (string);
  'nodeId'?: (string);
  'nodeAddr'?: (string);
  'taskId'?: (string);
  'serviceId'?: (string);
  'names'?: (string)[];
  'serving'?: (boolean);
}

export interface OverlayEndpoint__Output {
  'address': (string);
  'nodeId': (string);
  'nodeAddr': (string);
  'taskId': (string);
  'serviceId': (string);
  'names': (string)[];
  'serving': (boolean);
}
