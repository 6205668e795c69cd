// Original file: proto/flotilla/v1/dispatcher.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AgentMessage as _flotilla_v1_AgentMessage, AgentMessage__Output as _flotilla_v1_AgentMessage__Output } from '../../flotilla/v1/AgentMessage.js';
import type { ManagerMessage as _flotilla_v1_ManagerMessage, ManagerMessage__Output as _flotilla_v1_ManagerMessage__Output } from '../../flotilla/v1/ManagerMessage.js';

export interface DispatcherClient extends grpc.Client {
  Session(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_flotilla_v1_AgentMessage, _flotilla_v1_ManagerMessage__Output>;
  Session(options?: grpc.CallOptions): grpc.ClientDuplexStream<_flotilla_v1_AgentMessage, _flotilla_v1_ManagerMessage__Output>;
  session(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_flotilla_v1_AgentMessage, _flotilla_v1_ManagerMessage__Output>;
  session(options?: grpc.CallOptions): grpc.ClientDuplexStream<_flotilla_v1_AgentMessage, _flotilla_v1_ManagerMessage__Output>;
  
}

export interface DispatcherHandlers extends grpc.UntypedServiceImplementation {
  Session: grpc.handleBidiStreamingCall<_flotilla_v1_AgentMessage__Output, _flotilla_v1_ManagerMessage>;
  
}

export interface DispatcherDefinition extends grpc.ServiceDefinition {
  Session: MethodDefinition<_flotilla_v1_AgentMessage, _flotilla_v1_ManagerMessage, _flotilla_v1_AgentMessage__Output, _flotilla_v1_ManagerMessage__Output>
}
