// Original file: proto/flotilla/v1/dispatcher.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AgentMessage as _flotilla_v1_AgentMessage, AgentMessage__Output as _flotilla_v1_AgentMessage__Output } from '../../flotilla/v1/AgentMessage.js';
import type { AttachNetworkRequest as _flotilla_v1_AttachNetworkRequest, AttachNetworkRequest__Output as _flotilla_v1_AttachNetworkRequest__Output } from '../../flotilla/v1/AttachNetworkRequest.js';
import type { AttachNetworkResponse as _flotilla_v1_AttachNetworkResponse, AttachNetworkResponse__Output as _flotilla_v1_AttachNetworkResponse__Output } from '../../flotilla/v1/AttachNetworkResponse.js';
import type { DetachNetworkRequest as _flotilla_v1_DetachNetworkRequest, DetachNetworkRequest__Output as _flotilla_v1_DetachNetworkRequest__Output } from '../../flotilla/v1/DetachNetworkRequest.js';
import type { DetachNetworkResponse as _flotilla_v1_DetachNetworkResponse, DetachNetworkResponse__Output as _flotilla_v1_DetachNetworkResponse__Output } from '../../flotilla/v1/DetachNetworkResponse.js';
import type { ManagerMessage as _flotilla_v1_ManagerMessage, ManagerMessage__Output as _flotilla_v1_ManagerMessage__Output } from '../../flotilla/v1/ManagerMessage.js';

export interface DispatcherClient extends grpc.Client {
  AttachNetwork(argument: _flotilla_v1_AttachNetworkRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_flotilla_v1_AttachNetworkResponse__Output>): grpc.ClientUnaryCall;
  AttachNetwork(argument: _flotilla_v1_AttachNetworkRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_flotilla_v1_AttachNetworkResponse__Output>): grpc.ClientUnaryCall;
  AttachNetwork(argument: _flotilla_v1_AttachNetworkRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_flotilla_v1_AttachNetworkResponse__Output>): grpc.ClientUnaryCall;
  AttachNetwork(argument: _flotilla_v1_AttachNetworkRequest, callback: grpc.requestCallback<_flotilla_v1_AttachNetworkResponse__Output>): grpc.ClientUnaryCall;
  attachNetwork(argument: _flotilla_v1_AttachNetworkRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_flotilla_v1_AttachNetworkResponse__Output>): grpc.ClientUnaryCall;
  attachNetwork(argument: _flotilla_v1_AttachNetworkRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_flotilla_v1_AttachNetworkResponse__Output>): grpc.ClientUnaryCall;
  attachNetwork(argument: _flotilla_v1_AttachNetworkRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_flotilla_v1_AttachNetworkResponse__Output>): grpc.ClientUnaryCall;
  attachNetwork(argument: _flotilla_v1_AttachNetworkRequest, callback: grpc.requestCallback<_flotilla_v1_AttachNetworkResponse__Output>): grpc.ClientUnaryCall;
  
  DetachNetwork(argument: _flotilla_v1_DetachNetworkRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_flotilla_v1_DetachNetworkResponse__Output>): grpc.ClientUnaryCall;
  DetachNetwork(argument: _flotilla_v1_DetachNetworkRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_flotilla_v1_DetachNetworkResponse__Output>): grpc.ClientUnaryCall;
  DetachNetwork(argument: _flotilla_v1_DetachNetworkRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_flotilla_v1_DetachNetworkResponse__Output>): grpc.ClientUnaryCall;
  DetachNetwork(argument: _flotilla_v1_DetachNetworkRequest, callback: grpc.requestCallback<_flotilla_v1_DetachNetworkResponse__Output>): grpc.ClientUnaryCall;
  detachNetwork(argument: _flotilla_v1_DetachNetworkRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_flotilla_v1_DetachNetworkResponse__Output>): grpc.ClientUnaryCall;
  detachNetwork(argument: _flotilla_v1_DetachNetworkRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_flotilla_v1_DetachNetworkResponse__Output>): grpc.ClientUnaryCall;
  detachNetwork(argument: _flotilla_v1_DetachNetworkRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_flotilla_v1_DetachNetworkResponse__Output>): grpc.ClientUnaryCall;
  detachNetwork(argument: _flotilla_v1_DetachNetworkRequest, callback: grpc.requestCallback<_flotilla_v1_DetachNetworkResponse__Output>): grpc.ClientUnaryCall;
  
  Session(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_flotilla_v1_AgentMessage, _flotilla_v1_ManagerMessage__Output>;
  Session(options?: grpc.CallOptions): grpc.ClientDuplexStream<_flotilla_v1_AgentMessage, _flotilla_v1_ManagerMessage__Output>;
  session(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_flotilla_v1_AgentMessage, _flotilla_v1_ManagerMessage__Output>;
  session(options?: grpc.CallOptions): grpc.ClientDuplexStream<_flotilla_v1_AgentMessage, _flotilla_v1_ManagerMessage__Output>;
  
}

export interface DispatcherHandlers extends grpc.UntypedServiceImplementation {
  AttachNetwork: grpc.handleUnaryCall<_flotilla_v1_AttachNetworkRequest__Output, _flotilla_v1_AttachNetworkResponse>;
  
  DetachNetwork: grpc.handleUnaryCall<_flotilla_v1_DetachNetworkRequest__Output, _flotilla_v1_DetachNetworkResponse>;
  
  Session: grpc.handleBidiStreamingCall<_flotilla_v1_AgentMessage__Output, _flotilla_v1_ManagerMessage>;
  
}

export interface DispatcherDefinition extends grpc.ServiceDefinition {
  AttachNetwork: MethodDefinition<_flotilla_v1_AttachNetworkRequest, _flotilla_v1_AttachNetworkResponse, _flotilla_v1_AttachNetworkRequest__Output, _flotilla_v1_AttachNetworkResponse__Output>
  DetachNetwork: MethodDefinition<_flotilla_v1_DetachNetworkRequest, _flotilla_v1_DetachNetworkResponse, _flotilla_v1_DetachNetworkRequest__Output, _flotilla_v1_DetachNetworkResponse__Output>
  Session: MethodDefinition<_flotilla_v1_AgentMessage, _flotilla_v1_ManagerMessage, _flotilla_v1_AgentMessage__Output, _flotilla_v1_ManagerMessage__Output>
}
