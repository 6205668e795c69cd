// Original file: proto/flotilla/v1/dispatcher.proto


export interface PeerRoute {
  'nodeId'?: (string);
  'subnet'?: (string);
  'via'?: (string);
}

export interface PeerRoute__Output {
  'nodeId': (string);
  'subnet': (string);
  'via': (string);
}
