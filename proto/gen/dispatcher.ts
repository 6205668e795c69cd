import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { AgentMessage as _flotilla_v1_AgentMessage, AgentMessage__Output as _flotilla_v1_AgentMessage__Output } from './flotilla/v1/AgentMessage.js';
import type { AssignmentChange as _flotilla_v1_AssignmentChange, AssignmentChange__Output as _flotilla_v1_AssignmentChange__Output } from './flotilla/v1/AssignmentChange.js';
import type { Assignments as _flotilla_v1_Assignments, Assignments__Output as _flotilla_v1_Assignments__Output } from './flotilla/v1/Assignments.js';
import type { AttachNetworkRequest as _flotilla_v1_AttachNetworkRequest, AttachNetworkRequest__Output as _flotilla_v1_AttachNetworkRequest__Output } from './flotilla/v1/AttachNetworkRequest.js';
import type { AttachNetworkResponse as _flotilla_v1_AttachNetworkResponse, AttachNetworkResponse__Output as _flotilla_v1_AttachNetworkResponse__Output } from './flotilla/v1/AttachNetworkResponse.js';
import type { DetachNetworkRequest as _flotilla_v1_DetachNetworkRequest, DetachNetworkRequest__Output as _flotilla_v1_DetachNetworkRequest__Output } from './flotilla/v1/DetachNetworkRequest.js';
import type { DetachNetworkResponse as _flotilla_v1_DetachNetworkResponse, DetachNetworkResponse__Output as _flotilla_v1_DetachNetworkResponse__Output } from './flotilla/v1/DetachNetworkResponse.js';
import type { DispatcherClient as _flotilla_v1_DispatcherClient, DispatcherDefinition as _flotilla_v1_DispatcherDefinition } from './flotilla/v1/Dispatcher.js';
import type { Heartbeat as _flotilla_v1_Heartbeat, Heartbeat__Output as _flotilla_v1_Heartbeat__Output } from './flotilla/v1/Heartbeat.js';
import type { IngressChanges as _flotilla_v1_IngressChanges, IngressChanges__Output as _flotilla_v1_IngressChanges__Output } from './flotilla/v1/IngressChanges.js';
import type { IngressEndpoints as _flotilla_v1_IngressEndpoints, IngressEndpoints__Output as _flotilla_v1_IngressEndpoints__Output } from './flotilla/v1/IngressEndpoints.js';
import type { IngressPort as _flotilla_v1_IngressPort, IngressPort__Output as _flotilla_v1_IngressPort__Output } from './flotilla/v1/IngressPort.js';
import type { IngressService as _flotilla_v1_IngressService, IngressService__Output as _flotilla_v1_IngressService__Output } from './flotilla/v1/IngressService.js';
import type { IngressServiceChange as _flotilla_v1_IngressServiceChange, IngressServiceChange__Output as _flotilla_v1_IngressServiceChange__Output } from './flotilla/v1/IngressServiceChange.js';
import type { IssuedCertificate as _flotilla_v1_IssuedCertificate, IssuedCertificate__Output as _flotilla_v1_IssuedCertificate__Output } from './flotilla/v1/IssuedCertificate.js';
import type { LogLine as _flotilla_v1_LogLine, LogLine__Output as _flotilla_v1_LogLine__Output } from './flotilla/v1/LogLine.js';
import type { LogsChunk as _flotilla_v1_LogsChunk, LogsChunk__Output as _flotilla_v1_LogsChunk__Output } from './flotilla/v1/LogsChunk.js';
import type { LogsRequest as _flotilla_v1_LogsRequest, LogsRequest__Output as _flotilla_v1_LogsRequest__Output } from './flotilla/v1/LogsRequest.js';
import type { ManagerList as _flotilla_v1_ManagerList, ManagerList__Output as _flotilla_v1_ManagerList__Output } from './flotilla/v1/ManagerList.js';
import type { ManagerMessage as _flotilla_v1_ManagerMessage, ManagerMessage__Output as _flotilla_v1_ManagerMessage__Output } from './flotilla/v1/ManagerMessage.js';
import type { NodeDescription as _flotilla_v1_NodeDescription, NodeDescription__Output as _flotilla_v1_NodeDescription__Output } from './flotilla/v1/NodeDescription.js';
import type { OverlayChanges as _flotilla_v1_OverlayChanges, OverlayChanges__Output as _flotilla_v1_OverlayChanges__Output } from './flotilla/v1/OverlayChanges.js';
import type { OverlayEndpoint as _flotilla_v1_OverlayEndpoint, OverlayEndpoint__Output as _flotilla_v1_OverlayEndpoint__Output } from './flotilla/v1/OverlayEndpoint.js';
import type { OverlayKey as _flotilla_v1_OverlayKey, OverlayKey__Output as _flotilla_v1_OverlayKey__Output } from './flotilla/v1/OverlayKey.js';
import type { OverlayNetwork as _flotilla_v1_OverlayNetwork, OverlayNetwork__Output as _flotilla_v1_OverlayNetwork__Output } from './flotilla/v1/OverlayNetwork.js';
import type { OverlayNetworkChange as _flotilla_v1_OverlayNetworkChange, OverlayNetworkChange__Output as _flotilla_v1_OverlayNetworkChange__Output } from './flotilla/v1/OverlayNetworkChange.js';
import type { OverlayNetworks as _flotilla_v1_OverlayNetworks, OverlayNetworks__Output as _flotilla_v1_OverlayNetworks__Output } from './flotilla/v1/OverlayNetworks.js';
import type { OverlayService as _flotilla_v1_OverlayService, OverlayService__Output as _flotilla_v1_OverlayService__Output } from './flotilla/v1/OverlayService.js';
import type { PeerRoute as _flotilla_v1_PeerRoute, PeerRoute__Output as _flotilla_v1_PeerRoute__Output } from './flotilla/v1/PeerRoute.js';
import type { Peers as _flotilla_v1_Peers, Peers__Output as _flotilla_v1_Peers__Output } from './flotilla/v1/Peers.js';
import type { Platform as _flotilla_v1_Platform, Platform__Output as _flotilla_v1_Platform__Output } from './flotilla/v1/Platform.js';
import type { RenewNow as _flotilla_v1_RenewNow, RenewNow__Output as _flotilla_v1_RenewNow__Output } from './flotilla/v1/RenewNow.js';
import type { RenewRequest as _flotilla_v1_RenewRequest, RenewRequest__Output as _flotilla_v1_RenewRequest__Output } from './flotilla/v1/RenewRequest.js';
import type { SecretPayload as _flotilla_v1_SecretPayload, SecretPayload__Output as _flotilla_v1_SecretPayload__Output } from './flotilla/v1/SecretPayload.js';
import type { SecretsUpdate as _flotilla_v1_SecretsUpdate, SecretsUpdate__Output as _flotilla_v1_SecretsUpdate__Output } from './flotilla/v1/SecretsUpdate.js';
import type { SessionAccepted as _flotilla_v1_SessionAccepted, SessionAccepted__Output as _flotilla_v1_SessionAccepted__Output } from './flotilla/v1/SessionAccepted.js';
import type { SessionOpen as _flotilla_v1_SessionOpen, SessionOpen__Output as _flotilla_v1_SessionOpen__Output } from './flotilla/v1/SessionOpen.js';
import type { TaskStatus as _flotilla_v1_TaskStatus, TaskStatus__Output as _flotilla_v1_TaskStatus__Output } from './flotilla/v1/TaskStatus.js';
import type { TaskStatusBatch as _flotilla_v1_TaskStatusBatch, TaskStatusBatch__Output as _flotilla_v1_TaskStatusBatch__Output } from './flotilla/v1/TaskStatusBatch.js';
import type { TaskStatusUpdate as _flotilla_v1_TaskStatusUpdate, TaskStatusUpdate__Output as _flotilla_v1_TaskStatusUpdate__Output } from './flotilla/v1/TaskStatusUpdate.js';
import type { TlsInfo as _flotilla_v1_TlsInfo, TlsInfo__Output as _flotilla_v1_TlsInfo__Output } from './flotilla/v1/TlsInfo.js';
import type { TrustBundle as _flotilla_v1_TrustBundle, TrustBundle__Output as _flotilla_v1_TrustBundle__Output } from './flotilla/v1/TrustBundle.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  flotilla: {
    v1: {
      AgentMessage: MessageTypeDefinition<_flotilla_v1_AgentMessage, _flotilla_v1_AgentMessage__Output>
      AssignmentChange: MessageTypeDefinition<_flotilla_v1_AssignmentChange, _flotilla_v1_AssignmentChange__Output>
      Assignments: MessageTypeDefinition<_flotilla_v1_Assignments, _flotilla_v1_Assignments__Output>
      AttachNetworkRequest: MessageTypeDefinition<_flotilla_v1_AttachNetworkRequest, _flotilla_v1_AttachNetworkRequest__Output>
      AttachNetworkResponse: MessageTypeDefinition<_flotilla_v1_AttachNetworkResponse, _flotilla_v1_AttachNetworkResponse__Output>
      DetachNetworkRequest: MessageTypeDefinition<_flotilla_v1_DetachNetworkRequest, _flotilla_v1_DetachNetworkRequest__Output>
      DetachNetworkResponse: MessageTypeDefinition<_flotilla_v1_DetachNetworkResponse, _flotilla_v1_DetachNetworkResponse__Output>
      Dispatcher: SubtypeConstructor<typeof grpc.Client, _flotilla_v1_DispatcherClient> & { service: _flotilla_v1_DispatcherDefinition }
      Heartbeat: MessageTypeDefinition<_flotilla_v1_Heartbeat, _flotilla_v1_Heartbeat__Output>
      IngressChanges: MessageTypeDefinition<_flotilla_v1_IngressChanges, _flotilla_v1_IngressChanges__Output>
      IngressEndpoints: MessageTypeDefinition<_flotilla_v1_IngressEndpoints, _flotilla_v1_IngressEndpoints__Output>
      IngressPort: MessageTypeDefinition<_flotilla_v1_IngressPort, _flotilla_v1_IngressPort__Output>
      IngressService: MessageTypeDefinition<_flotilla_v1_IngressService, _flotilla_v1_IngressService__Output>
      IngressServiceChange: MessageTypeDefinition<_flotilla_v1_IngressServiceChange, _flotilla_v1_IngressServiceChange__Output>
      IssuedCertificate: MessageTypeDefinition<_flotilla_v1_IssuedCertificate, _flotilla_v1_IssuedCertificate__Output>
      LogLine: MessageTypeDefinition<_flotilla_v1_LogLine, _flotilla_v1_LogLine__Output>
      LogsChunk: MessageTypeDefinition<_flotilla_v1_LogsChunk, _flotilla_v1_LogsChunk__Output>
      LogsRequest: MessageTypeDefinition<_flotilla_v1_LogsRequest, _flotilla_v1_LogsRequest__Output>
      ManagerList: MessageTypeDefinition<_flotilla_v1_ManagerList, _flotilla_v1_ManagerList__Output>
      ManagerMessage: MessageTypeDefinition<_flotilla_v1_ManagerMessage, _flotilla_v1_ManagerMessage__Output>
      NodeDescription: MessageTypeDefinition<_flotilla_v1_NodeDescription, _flotilla_v1_NodeDescription__Output>
      OverlayChanges: MessageTypeDefinition<_flotilla_v1_OverlayChanges, _flotilla_v1_OverlayChanges__Output>
      OverlayEndpoint: MessageTypeDefinition<_flotilla_v1_OverlayEndpoint, _flotilla_v1_OverlayEndpoint__Output>
      OverlayKey: MessageTypeDefinition<_flotilla_v1_OverlayKey, _flotilla_v1_OverlayKey__Output>
      OverlayNetwork: MessageTypeDefinition<_flotilla_v1_OverlayNetwork, _flotilla_v1_OverlayNetwork__Output>
      OverlayNetworkChange: MessageTypeDefinition<_flotilla_v1_OverlayNetworkChange, _flotilla_v1_OverlayNetworkChange__Output>
      OverlayNetworks: MessageTypeDefinition<_flotilla_v1_OverlayNetworks, _flotilla_v1_OverlayNetworks__Output>
      OverlayService: MessageTypeDefinition<_flotilla_v1_OverlayService, _flotilla_v1_OverlayService__Output>
      PeerRoute: MessageTypeDefinition<_flotilla_v1_PeerRoute, _flotilla_v1_PeerRoute__Output>
      Peers: MessageTypeDefinition<_flotilla_v1_Peers, _flotilla_v1_Peers__Output>
      Platform: MessageTypeDefinition<_flotilla_v1_Platform, _flotilla_v1_Platform__Output>
      RenewNow: MessageTypeDefinition<_flotilla_v1_RenewNow, _flotilla_v1_RenewNow__Output>
      RenewRequest: MessageTypeDefinition<_flotilla_v1_RenewRequest, _flotilla_v1_RenewRequest__Output>
      SecretPayload: MessageTypeDefinition<_flotilla_v1_SecretPayload, _flotilla_v1_SecretPayload__Output>
      SecretsUpdate: MessageTypeDefinition<_flotilla_v1_SecretsUpdate, _flotilla_v1_SecretsUpdate__Output>
      SessionAccepted: MessageTypeDefinition<_flotilla_v1_SessionAccepted, _flotilla_v1_SessionAccepted__Output>
      SessionOpen: MessageTypeDefinition<_flotilla_v1_SessionOpen, _flotilla_v1_SessionOpen__Output>
      TaskStatus: MessageTypeDefinition<_flotilla_v1_TaskStatus, _flotilla_v1_TaskStatus__Output>
      TaskStatusBatch: MessageTypeDefinition<_flotilla_v1_TaskStatusBatch, _flotilla_v1_TaskStatusBatch__Output>
      TaskStatusUpdate: MessageTypeDefinition<_flotilla_v1_TaskStatusUpdate, _flotilla_v1_TaskStatusUpdate__Output>
      TlsInfo: MessageTypeDefinition<_flotilla_v1_TlsInfo, _flotilla_v1_TlsInfo__Output>
      TrustBundle: MessageTypeDefinition<_flotilla_v1_TrustBundle, _flotilla_v1_TrustBundle__Output>
    }
  }
}

