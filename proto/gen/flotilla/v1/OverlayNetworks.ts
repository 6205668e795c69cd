// Original file: proto/flotilla/v1/dispatcher.proto

import type { OverlayNetwork as _flotilla_v1_OverlayNetwork, OverlayNetwork__Output as _flotilla_v1_OverlayNetwork__Output } from '../../flotilla/v1/OverlayNetwork.js';

export interface OverlayNetworks {
  'networks'?: (_flotilla_v1_OverlayNetwork)[];
}

export interface OverlayNetworks__Output {
  'networks': (_flotilla_v1_OverlayNetwork__Output)[];
}
