// Original file: proto/flotilla/v1/dispatcher.proto

import type { TaskStatusUpdate as _flotilla_v1_TaskStatusUpdate, TaskStatusUpdate__Output as _flotilla_v1_TaskStatusUpdate__Output } from '../../flotilla/v1/TaskStatusUpdate.js';

export interface TaskStatusBatch {
  'updates'?: (_flotilla_v1_TaskStatusUpdate)[];
}

export interface TaskStatusBatch__Output {
  'updates': (_flotilla_v1_TaskStatusUpdate__Output)[];
}
