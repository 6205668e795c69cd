import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { NodeDescription as _flotilla_v1_NodeDescription, NodeDescription__Output as _flotilla_v1_NodeDescription__Output } from './flotilla/v1/NodeDescription.js';
import type { Platform as _flotilla_v1_Platform, Platform__Output as _flotilla_v1_Platform__Output } from './flotilla/v1/Platform.js';
import type { TaskStatus as _flotilla_v1_TaskStatus, TaskStatus__Output as _flotilla_v1_TaskStatus__Output } from './flotilla/v1/TaskStatus.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  flotilla: {
    v1: {
      NodeDescription: MessageTypeDefinition<_flotilla_v1_NodeDescription, _flotilla_v1_NodeDescription__Output>
      Platform: MessageTypeDefinition<_flotilla_v1_Platform, _flotilla_v1_Platform__Output>
      TaskStatus: MessageTypeDefinition<_flotilla_v1_TaskStatus, _flotilla_v1_TaskStatus__Output>
    }
  }
}

