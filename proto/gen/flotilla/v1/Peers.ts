// Original file: proto/flotilla/v1/dispatcher.proto

import type { PeerRoute as _flotilla_v1_PeerRoute, PeerRoute__Output as _flotilla_v1_PeerRoute__Output } from '../../flotilla/v1/PeerRoute.js';

export interface Peers {
  'routes'?: (_flotilla_v1_PeerRoute)[];
  'nodeSubnet'?: (string);
}

export interface Peers__Output {
  'routes': (_flotilla_v1_PeerRoute__Output)[];
  'nodeSubnet': (string);
}
