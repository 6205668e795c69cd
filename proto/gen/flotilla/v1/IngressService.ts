// Original file: proto/flotilla/v1/dispatcher.proto

import type { IngressPort as _flotilla_v1_IngressPort, IngressPort__Output as _flotilla_v1_IngressPort__Output } from '../../flotilla/v1/IngressPort.js';

export interface IngressService {
  'serviceId'?: (string);
  'name'?: (string);
  'ports'?: (_flotilla_v1_IngressPort)[];
  'addrs'?: (string)[];
}

export interface IngressService__Output {
  'serviceId': (string);
  'name': (string);
  'ports': (_flotilla_v1_IngressPort__Output)[];
  'addrs': (string)[];
}
