// Original file: proto/flotilla/v1/dispatcher.proto

import type { OverlayEndpoint as _flotilla_v1_OverlayEndpoint, OverlayEndpoint__Output as _flotilla_v1_OverlayEndpoint__Output } from '../../flotilla/v1/OverlayEndpoint.js';
import type { OverlayService as _flotilla_v1_OverlayService, OverlayService__Output as _flotilla_v1_OverlayService__Output } from '../../flotilla/v1/OverlayService.js';
import type { OverlayKey as _flotilla_v1_OverlayKey, OverlayKey__Output as _flotilla_v1_OverlayKey__Output } from '../../flotilla/v1/OverlayKey.js';

export interface OverlayNetwork {
  'networkId'?: (string);
  'name'?: (string);
  'vni'?: (number);
  'subnet'?: (string);
  'gateway'?: (string);
  'internal'?: (boolean);
  'encrypted'?: (boolean);
  'endpoints'?: (_flotilla_v1_OverlayEndpoint)[];
  'services'?: (_flotilla_v1_OverlayService)[];
  'keys'?: (_flotilla_v1_OverlayKey)[];
}

export interface OverlayNetwork__Output {
  'networkId': (string);
  'name': (string);
  'vni': (number);
  'subnet': (string);
  'gateway': (string);
  'internal': (boolean);
  'encrypted': (boolean);
  'endpoints': (_flotilla_v1_OverlayEndpoint__Output)[];
  'services': (_flotilla_v1_OverlayService__Output)[];
  'keys': (_flotilla_v1_OverlayKey__Output)[];
}
