// Original file: proto/flotilla/v1/types.proto

import type { Platform as _flotilla_v1_Platform, Platform__Output as _flotilla_v1_Platform__Output } from '../../flotilla/v1/Platform.js';
import type { Long } from '@grpc/proto-loader';

export interface NodeDescription {
  'hostname'?: (string);
  'addr'?: (string);
  'platform'?: (_flotilla_v1_Platform | null);
  'nanoCpus'?: (number | string | Long);
  'memoryBytes'?: (number | string | Long);
  'engineVersion'?: (string);
  'engineLabels'?: ({[key: string]: string});
}

export interface NodeDescription__Output {
  'hostname': (string);
  'addr': (string);
  'platform': (_flotilla_v1_Platform__Output | null);
  'nanoCpus': (number);
  'memoryBytes': (number);
  'engineVersion': (string);
  'engineLabels': ({[key: string]: string});
}
