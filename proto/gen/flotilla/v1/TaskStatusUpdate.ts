// Original file: proto/flotilla/v1/dispatcher.proto

import type { TaskStatus as _flotilla_v1_TaskStatus, TaskStatus__Output as _flotilla_v1_TaskStatus__Output } from '../../flotilla/v1/TaskStatus.js';

export interface TaskStatusUpdate {
  'taskId'?: (string);
  'status'?: (_flotilla_v1_TaskStatus | null);
}

export interface TaskStatusUpdate__Output {
  'taskId': (string);
  'status': (_flotilla_v1_TaskStatus__Output | null);
}
