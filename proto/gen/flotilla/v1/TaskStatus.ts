// Original file: proto/flotilla/v1/types.proto


export interface TaskStatus {
  'state'?: (string);
  'timestamp'?: (string);
  'message'?: (string);
  'err'?: (string);
  'containerId'?: (string);
  'exitCode'?: (number);
  'health'?: (string);
  'address'?: (string);
  '_exitCode'?: "exitCode";
}

export interface TaskStatus__Output {
  'state': (string);
  'timestamp': (string);
  'message': (string);
  'err': (string);
  'containerId': (string);
  'exitCode'?: (number);
  'health': (string);
  'address': (string);
  '_exitCode'?: "exitCode";
}
