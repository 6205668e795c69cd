// Original file: proto/flotilla/v1/dispatcher.proto

import type { LogLine as _flotilla_v1_LogLine, LogLine__Output as _flotilla_v1_LogLine__Output } from '../../flotilla/v1/LogLine.js';

export interface LogsChunk {
  'requestId'?: (string);
  'lines'?: (_flotilla_v1_LogLine)[];
  'done'?: (boolean);
  'errorJson'?: (string);
}

export interface LogsChunk__Output {
  'requestId': (string);
  'lines': (_flotilla_v1_LogLine__Output)[];
  'done': (boolean);
  'errorJson': (string);
}
