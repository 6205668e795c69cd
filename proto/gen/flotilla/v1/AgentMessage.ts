// Original file: proto/flotilla/v1/dispatcher.proto

import type { SessionOpen as _flotilla_v1_SessionOpen, SessionOpen__Output as _flotilla_v1_SessionOpen__Output } from '../../flotilla/v1/SessionOpen.js';
import type { Heartbeat as _flotilla_v1_Heartbeat, Heartbeat__Output as _flotilla_v1_Heartbeat__Output } from '../../flotilla/v1/Heartbeat.js';
import type { TaskStatusBatch as _flotilla_v1_TaskStatusBatch, TaskStatusBatch__Output as _flotilla_v1_TaskStatusBatch__Output } from '../../flotilla/v1/TaskStatusBatch.js';
import type { LogsChunk as _flotilla_v1_LogsChunk, LogsChunk__Output as _flotilla_v1_LogsChunk__Output } from '../../flotilla/v1/LogsChunk.js';
import type { RenewRequest as _flotilla_v1_RenewRequest, RenewRequest__Output as _flotilla_v1_RenewRequest__Output } from '../../flotilla/v1/RenewRequest.js';
import type { TlsInfo as _flotilla_v1_TlsInfo, TlsInfo__Output as _flotilla_v1_TlsInfo__Output } from '../../flotilla/v1/TlsInfo.js';

export interface AgentMessage {
  'open'?: (_flotilla_v1_SessionOpen | null);
  'heartbeat'?: (_flotilla_v1_Heartbeat | null);
  'status'?: (_flotilla_v1_TaskStatusBatch | null);
  'logs'?: (_flotilla_v1_LogsChunk | null);
  'renew'?: (_flotilla_v1_RenewRequest | null);
  'tls'?: (_flotilla_v1_TlsInfo | null);
  'payload'?: "open"|"heartbeat"|"status"|"logs"|"renew"|"tls";
}

export interface AgentMessage__Output {
  'open'?: (_flotilla_v1_SessionOpen__Output | null);
  'heartbeat'?: (_flotilla_v1_Heartbeat__Output | null);
  'status'?: (_flotilla_v1_TaskStatusBatch__Output | null);
  'logs'?: (_flotilla_v1_LogsChunk__Output | null);
  'renew'?: (_flotilla_v1_RenewRequest__Output | null);
  'tls'?: (_flotilla_v1_TlsInfo__Output | null);
  'payload'?: "open"|"heartbeat"|"status"|"logs"|"renew"|"tls";
}
