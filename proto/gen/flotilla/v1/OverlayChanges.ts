// Original file: proto/flotilla/v1/dispatcher.proto

import type { OverlayNetworkChange as _flotilla_v1_OverlayNetworkChange, OverlayNetworkChange__Output as _flotilla_v1_OverlayNetworkChange__Output } from '../../flotilla/v1/OverlayNetworkChange.js';

export interface OverlayChanges {
  'changes'?: (_flotilla_v1_OverlayNetworkChange)[];
}

export interface OverlayChanges__Output {
  'changes': (_flotilla_v1_OverlayNetworkChange__Output)[];
}
