// Original file: proto/flotilla/v1/dispatcher.proto

import type { IngressService as _flotilla_v1_IngressService, IngressService__Output as _flotilla_v1_IngressService__Output } from '../../flotilla/v1/IngressService.js';

export interface IngressServiceChange {
  'serviceId'?: (string);
  'set'?: (_flotilla_v1_IngressService | null);
  'removed'?: (boolean);
  'addedAddrs'?: (string)[];
  'removedAddrs'?: (string)[];
}

export interface IngressServiceChange__Output {
  'serviceId': (string);
  'set': (_flotilla_v1_IngressService__Output | null);
  'removed': (boolean);
  'addedAddrs': (string)[];
  'removedAddrs': (string)[];
}
