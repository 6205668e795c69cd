// Original file: proto/flotilla/v1/dispatcher.proto


export interface ManagerList {
  'addrs'?: (string)[];
}

export interface ManagerList__Output {
  'addrs': (string)[];
}
