// Original file: proto/flotilla/v1/dispatcher.proto

import type { IngressService as _flotilla_v1_IngressService, IngressService__Output as _flotilla_v1_IngressService__Output } from '../../flotilla/v1/IngressService.js';

export interface IngressEndpoints {
  'services'?: (_flotilla_v1_IngressService)[];
}

export interface IngressEndpoints__Output {
  'services': (_flotilla_v1_IngressService__Output)[];
}
