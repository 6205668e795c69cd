// Original file: proto/flotilla/v1/dispatcher.proto

import type { Long } from '@grpc/proto-loader';

export interface OverlayKey {
  'key'?: (Buffer | Uint8Array | string);
  'spi'?: (number);
  'generation'?: (number | string | Long);
}

export interface OverlayKey__Output {
  'key': (Buffer);
  'spi': (number);
  'generation': (number);
}
