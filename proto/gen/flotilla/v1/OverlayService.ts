// Original file: proto/flotilla/v1/dispatcher.proto


export interface OverlayService {
  'serviceId'?: (string);
  'name'?: (string);
  'aliases'?: (string)[];
  'endpointMode'?: (string);
  'vip'?: (string);
}

export interface OverlayService__Output {
  'serviceId': (string);
  'name': (string);
  'aliases': (string)[];
  'endpointMode': (string);
  'vip': (string);
}
