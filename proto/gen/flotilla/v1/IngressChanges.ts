// Original file: proto/flotilla/v1/dispatcher.proto

import type { IngressServiceChange as _flotilla_v1_IngressServiceChange, IngressServiceChange__Output as _flotilla_v1_IngressServiceChange__Output } from '../../flotilla/v1/IngressServiceChange.js';

export interface IngressChanges {
  'changes'?: (_flotilla_v1_IngressServiceChange)[];
}

export interface IngressChanges__Output {
  'changes': (_flotilla_v1_IngressServiceChange__Output)[];
}
