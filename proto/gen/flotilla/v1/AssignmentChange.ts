// Original file: proto/flotilla/v1/dispatcher.proto


// Original file: proto/flotilla/v1/dispatcher.proto

export const _flotilla_v1_AssignmentChange_Action = {
  ACTION_UNSPECIFIED: 'ACTION_UNSPECIFIED',
  ASSIGN: 'ASSIGN',
  REMOVE: 'REMOVE',
} as const;

export type _flotilla_v1_AssignmentChange_Action =
  | 'ACTION_UNSPECIFIED'
  | 0
  | 'ASSIGN'
  | 1
  | 'REMOVE'
  | 2

export type _flotilla_v1_AssignmentChange_Action__Output = typeof _flotilla_v1_AssignmentChange_Action[keyof typeof _flotilla_v1_AssignmentChange_Action]

export interface AssignmentChange {
  'action'?: (_flotilla_v1_AssignmentChange_Action);
  'taskId'?: (string);
  'taskJson'?: (string);
}

export interface AssignmentChange__Output {
  'action': (_flotilla_v1_AssignmentChange_Action__Output);
  'taskId': (string);
  'taskJson': (string);
}
