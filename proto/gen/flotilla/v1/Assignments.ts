// Original file: proto/flotilla/v1/dispatcher.proto

import type { AssignmentChange as _flotilla_v1_AssignmentChange, AssignmentChange__Output as _flotilla_v1_AssignmentChange__Output } from '../../flotilla/v1/AssignmentChange.js';

export interface Assignments {
  'full'?: (boolean);
  'changes'?: (_flotilla_v1_AssignmentChange)[];
}

export interface Assignments__Output {
  'full': (boolean);
  'changes': (_flotilla_v1_AssignmentChange__Output)[];
}
