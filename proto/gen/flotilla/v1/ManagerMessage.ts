// Original file: proto/flotilla/v1/dispatcher.proto

import type { SessionAccepted as _flotilla_v1_SessionAccepted, SessionAccepted__Output as _flotilla_v1_SessionAccepted__Output } from '../../flotilla/v1/SessionAccepted.js';
import type { Assignments as _flotilla_v1_Assignments, Assignments__Output as _flotilla_v1_Assignments__Output } from '../../flotilla/v1/Assignments.js';

export interface ManagerMessage {
  'accepted'?: (_flotilla_v1_SessionAccepted | null);
  'assignments'?: (_flotilla_v1_Assignments | null);
  'payload'?: "accepted"|"assignments";
}

export interface ManagerMessage__Output {
  'accepted'?: (_flotilla_v1_SessionAccepted__Output | null);
  'assignments'?: (_flotilla_v1_Assignments__Output | null);
  'payload'?: "accepted"|"assignments";
}
