// Kernel names and addresses of the overlay data plane, derived so nothing has to be stored or
// sent: device names from the agent's name prefix and the network's VNI (several agents on one
// host never collide), and each endpoint's MAC from its IPv4 address (Docker's 02:42 scheme), so a
// remote node can program neighbour entries without being told any MAC.

/** VXLAN's well-known UDP port (IANA), the same on every node. */
export const vxlanPort = 4789;

export interface OverlayDeviceNames {
  /** Linux bridge the containers' veths and the VXLAN device are enslaved to. */
  bridge: string;
  /** The VXLAN device. */
  vxlan: string;
}

/**
 * `<prefix>ov<vni hex>` and `<prefix>vx<vni hex>`: at most 4 + 2 + 6 = 12 characters. 'o', 'v'
 * and 'x' are not hex digits, so neither matches the veth or user-bridge patterns of attachments.ts
 * and cleanup.ts.
 */
export function overlayDeviceNames(prefix: string, vni: number): OverlayDeviceNames {
  const hex = vni.toString(16);
  return { bridge: `${prefix}ov${hex}`, vxlan: `${prefix}vx${hex}` };
}

/** Matches every overlay device of the agent with `prefix` (reconcile and cleanup). */
export function overlayLinkPattern(prefix: string): RegExp {
  return new RegExp(`^${prefix}(ov|vx)[0-9a-f]{1,6}$`);
}

/** `02:42:` + the four address bytes: the MAC of the endpoint with IPv4 `ip`. */
export function macFor(ip: string): string {
  const bytes = ip.split('.').map((b) => Number(b).toString(16).padStart(2, '0'));
  return ['02', '42', ...bytes].join(':');
}
