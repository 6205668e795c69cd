export { loadDispatcherProto, loaderOptions } from './loader.js';
export type {
  AgentMessage,
  AgentMessage__Output,
  ManagerMessage,
  ManagerMessage__Output,
  AssignmentChange__Output,
  NodeDescription,
  NodeDescription__Output,
  TaskStatus,
  TaskStatus__Output,
  LogsChunk,
  LogsChunk__Output,
  LogsRequest,
  LogsRequest__Output,
  DispatcherClient,
  DispatcherHandlers,
} from './loader.js';
