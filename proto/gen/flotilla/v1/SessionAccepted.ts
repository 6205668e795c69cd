// Original file: proto/flotilla/v1/dispatcher.proto


export interface SessionAccepted {
  'nodeId'?: (string);
  'heartbeatPeriodMs'?: (number);
  'managers'?: (string)[];
  'nodeSubnet'?: (string);
}

export interface SessionAccepted__Output {
  'nodeId': (string);
  'heartbeatPeriodMs': (number);
  'managers': (string)[];
  'nodeSubnet': (string);
}
