// Original file: proto/flotilla/v1/dispatcher.proto

import type { OverlayNetwork as _flotilla_v1_OverlayNetwork, OverlayNetwork__Output as _flotilla_v1_OverlayNetwork__Output } from '../../flotilla/v1/OverlayNetwork.js';
import type { OverlayEndpoint as _flotilla_v1_OverlayEndpoint, OverlayEndpoint__Output as _flotilla_v1_OverlayEndpoint__Output } from '../../flotilla/v1/OverlayEndpoint.js';
import type { OverlayService as _flotilla_v1_OverlayService, OverlayService__Output as _flotilla_v1_OverlayService__Output } from '../../flotilla/v1/OverlayService.js';
import type { OverlayKey as _flotilla_v1_OverlayKey, OverlayKey__Output as _flotilla_v1_OverlayKey__Output } from '../../flotilla/v1/OverlayKey.js';

export interface OverlayNetworkChange {
  'networkId'?: (string);
  'set'?: (_flotilla_v1_OverlayNetwork | null);
  'removed'?: (boolean);
  'upsertEndpoints'?: (_flotilla_v1_OverlayEndpoint)[];
  'removedEndpoints'?: (string)[];
  'upsertServices'?: (_flotilla_v1_OverlayService)[];
  'removedServices'?: (string)[];
  'keys'?: (_flotilla_v1_OverlayKey)[];
}

export interface OverlayNetworkChange__Output {
  'networkId': (string);
  'set': (_flotilla_v1_OverlayNetwork__Output | null);
  'removed': (boolean);
  'upsertEndpoints': (_flotilla_v1_OverlayEndpoint__Output)[];
  'removedEndpoints': (string)[];
  'upsertServices': (_flotilla_v1_OverlayService__Output)[];
  'removedServices': (string)[];
  'keys': (_flotilla_v1_OverlayKey__Output)[];
}
