// The manager's overlay messages (proto OverlayNetworks / OverlayChanges) as the network
// component's types (agent/network/overlay/state.ts). Proto3 cannot tell an empty repeated field
// from an absent one: a change's key list counts as changed only when it lists keys.
import type { ManagerMessage__Output } from '../../proto/index.js';
import type {
  OverlayChangeInfo,
  OverlayEndpointInfo,
  OverlayKeyInfo,
  OverlayNetworkInfo,
  OverlayServiceInfo,
} from '../network/index.js';

type OverlayNetwork__Output = NonNullable<ManagerMessage__Output['overlays']>['networks'][number];
type OverlayNetworkChange__Output = NonNullable<
  ManagerMessage__Output['overlayChanges']
>['changes'][number];
type OverlayEndpoint__Output = OverlayNetwork__Output['endpoints'][number];
type OverlayService__Output = OverlayNetwork__Output['services'][number];
type OverlayKey__Output = OverlayNetwork__Output['keys'][number];

export function overlayNetwork(n: OverlayNetwork__Output): OverlayNetworkInfo {
  return {
    networkId: n.networkId,
    name: n.name,
    vni: n.vni,
    subnet: n.subnet,
    gateway: n.gateway,
    internal: n.internal,
    encrypted: n.encrypted,
    endpoints: n.endpoints.map(overlayEndpoint),
    services: n.services.map(overlayService),
    keys: n.keys.map(overlayKey),
  };
}

export function overlayChange(c: OverlayNetworkChange__Output): OverlayChangeInfo {
  return {
    networkId: c.networkId,
    ...(c.set ? { set: overlayNetwork(c.set) } : {}),
    ...(c.removed ? { removed: true } : {}),
    upsertEndpoints: c.upsertEndpoints.map(overlayEndpoint),
    removedEndpoints: [...c.removedEndpoints],
    upsertServices: c.upsertServices.map(overlayService),
    removedServices: [...c.removedServices],
    ...(c.keys.length ? { keys: c.keys.map(overlayKey) } : {}),
  };
}

function overlayEndpoint(e: OverlayEndpoint__Output): OverlayEndpointInfo {
  return {
    address: e.address,
    nodeId: e.nodeId,
    nodeAddr: e.nodeAddr,
    taskId: e.taskId,
    serviceId: e.serviceId,
    names: [...e.names],
    serving: e.serving,
  };
}

function overlayService(s: OverlayService__Output): OverlayServiceInfo {
  return {
    serviceId: s.serviceId,
    name: s.name,
    aliases: [...s.aliases],
    endpointMode: s.endpointMode === 'dnsrr' ? 'dnsrr' : 'vip',
    vip: s.vip,
  };
}

function overlayKey(k: OverlayKey__Output): OverlayKeyInfo {
  return { key: Buffer.from(k.key), spi: k.spi, generation: Number(k.generation) };
}
