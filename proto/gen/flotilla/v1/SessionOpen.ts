// Original file: proto/flotilla/v1/dispatcher.proto

import type { NodeDescription as _flotilla_v1_NodeDescription, NodeDescription__Output as _flotilla_v1_NodeDescription__Output } from '../../flotilla/v1/NodeDescription.js';
import type { TlsInfo as _flotilla_v1_TlsInfo, TlsInfo__Output as _flotilla_v1_TlsInfo__Output } from '../../flotilla/v1/TlsInfo.js';

export interface SessionOpen {
  'description'?: (_flotilla_v1_NodeDescription | null);
  'nodeSubnet'?: (string);
  'tls'?: (_flotilla_v1_TlsInfo | null);
}

export interface SessionOpen__Output {
  'description': (_flotilla_v1_NodeDescription__Output | null);
  'nodeSubnet': (string);
  'tls': (_flotilla_v1_TlsInfo__Output | null);
}
