// Loads the agent ↔ manager contract at run time. The options must match scripts/gen-proto.mjs so
// the generated types in proto/gen describe exactly what the loader produces.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { ProtoGrpcType } from './gen/dispatcher.js';

export type { AgentMessage, AgentMessage__Output } from './gen/flotilla/v1/AgentMessage.js';
export type { ManagerMessage, ManagerMessage__Output } from './gen/flotilla/v1/ManagerMessage.js';
export type { AssignmentChange__Output } from './gen/flotilla/v1/AssignmentChange.js';
export type {
  NodeDescription,
  NodeDescription__Output,
} from './gen/flotilla/v1/NodeDescription.js';
export type { TaskStatus, TaskStatus__Output } from './gen/flotilla/v1/TaskStatus.js';
export type { LogsChunk, LogsChunk__Output } from './gen/flotilla/v1/LogsChunk.js';
export type { LogsRequest, LogsRequest__Output } from './gen/flotilla/v1/LogsRequest.js';
export type {
  IngressEndpoints,
  IngressEndpoints__Output,
} from './gen/flotilla/v1/IngressEndpoints.js';
export type { IngressService__Output } from './gen/flotilla/v1/IngressService.js';
export type { TlsInfo, TlsInfo__Output } from './gen/flotilla/v1/TlsInfo.js';
export type { SecretPayload, SecretPayload__Output } from './gen/flotilla/v1/SecretPayload.js';
export type { DispatcherClient, DispatcherHandlers } from './gen/flotilla/v1/Dispatcher.js';
export type {
  AttachNetworkRequest,
  AttachNetworkRequest__Output,
} from './gen/flotilla/v1/AttachNetworkRequest.js';
export type {
  AttachNetworkResponse,
  AttachNetworkResponse__Output,
} from './gen/flotilla/v1/AttachNetworkResponse.js';
export type {
  DetachNetworkRequest,
  DetachNetworkRequest__Output,
} from './gen/flotilla/v1/DetachNetworkRequest.js';
export type {
  DetachNetworkResponse,
  DetachNetworkResponse__Output,
} from './gen/flotilla/v1/DetachNetworkResponse.js';

export const loaderOptions: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

// Works from the sources (proto/loader.ts) and from the build (dist/proto/loader.js).
function includeDir(): string {
  for (const rel of ['.', '../../proto']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(`${dir}/flotilla/v1/dispatcher.proto`)) return dir;
  }
  throw new Error('proto/flotilla/v1/dispatcher.proto not found');
}

let cached: ProtoGrpcType | undefined;

export function loadDispatcherProto(): ProtoGrpcType {
  if (cached) return cached;
  const dir = includeDir();
  const def = protoLoader.loadSync('flotilla/v1/dispatcher.proto', {
    ...loaderOptions,
    includeDirs: [dir],
  });
  cached = grpc.loadPackageDefinition(def) as unknown as ProtoGrpcType;
  return cached;
}
