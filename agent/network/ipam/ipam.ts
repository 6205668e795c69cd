// Per-network address allocation, persisted in <dataRoot>/network/ipam.json before an address is
// handed out. Round-robin (next after the last one given) so a freed address is not reused while
// peers may still hold its ARP or conntrack entries. Which addresses are still in use after a
// crash is decided by the caller (reconcile), not here.
import { join } from 'node:path';
import { FlotillaError } from '../../../shared/errors/index.js';
import { Mutex } from '../../../shared/concurrency/mutex.js';
import { readJson, writeJson } from '../json-file.js';
import { contains, intToIp, ipToInt, parseSubnet, subnetSize } from './cidr.js';

interface Pool {
  subnet: string;
  /** Last address handed out (number form); the next search starts after it. */
  last: number;
  /** address → owner (container id). */
  owners: Record<string, string>;
}

type State = Record<string, Pool>;

export class Ipam {
  private readonly file: string;
  private readonly mutex = new Mutex();

  constructor(deps: { dir: string }) {
    this.file = join(deps.dir, 'ipam.json');
  }

  /** @throws ADDRESS_POOL_EXHAUSTED when every host address of the subnet is taken */
  allocate(network: string, subnet: string, owner: string): Promise<string> {
    return this.mutex.run(async () => {
      const state = await this.load();
      const pool = (state[network] ??= { subnet, last: 0, owners: {} });
      if (pool.subnet !== subnet) Object.assign(pool, { subnet, last: 0, owners: {} });
      const s = parseSubnet(subnet);
      const first = s.base + 2; // .0 is the network, .1 the gateway
      const lastHost = s.base + subnetSize(s) - 2; // the top address is broadcast
      const count = lastHost - first + 1;
      let cand = pool.last >= first && pool.last <= lastHost ? pool.last + 1 : first;
      for (let i = 0; i < count; i++, cand++) {
        if (cand > lastHost) cand = first;
        const ip = intToIp(cand);
        if (pool.owners[ip]) continue;
        pool.owners[ip] = owner;
        pool.last = cand;
        await writeJson(this.file, state);
        return ip;
      }
      throw new FlotillaError('ADDRESS_POOL_EXHAUSTED', { subnet, network });
    });
  }

  /**
   * Hands out `ip` itself (--ip). The caller checked it lies in the subnet.
   * @throws IP_ADDRESS_IN_USE when another owner holds it
   */
  claim(network: string, subnet: string, ip: string, owner: string): Promise<string> {
    return this.mutex.run(async () => {
      const state = await this.load();
      const pool = (state[network] ??= { subnet, last: 0, owners: {} });
      if (pool.subnet !== subnet) Object.assign(pool, { subnet, last: 0, owners: {} });
      const holder = pool.owners[ip];
      if (holder && holder !== owner)
        throw new FlotillaError('IP_ADDRESS_IN_USE', { ip, network, owner: holder.slice(0, 12) });
      pool.owners[ip] = owner;
      await writeJson(this.file, state);
      return ip;
    });
  }

  release(network: string, ip: string): Promise<void> {
    return this.mutex.run(async () => {
      const state = await this.load();
      if (!state[network]?.owners[ip]) return;
      delete state[network].owners[ip];
      await writeJson(this.file, state);
    });
  }

  /** Forgets a whole network (network rm). */
  dropNetwork(network: string): Promise<void> {
    return this.mutex.run(async () => {
      const state = await this.load();
      if (!state[network]) return;
      delete state[network];
      await writeJson(this.file, state);
    });
  }

  /** Every recorded allocation, for reconcile and tests. */
  async allocations(): Promise<{ network: string; ip: string; owner: string }[]> {
    const state = await this.mutex.run(() => this.load());
    return Object.entries(state).flatMap(([network, pool]) =>
      Object.entries(pool.owners).map(([ip, owner]) => ({ network, ip, owner })),
    );
  }

  /** Keeps only the allocations `keep` accepts; returns the ones released. */
  retain(keep: (network: string, ip: string, owner: string) => boolean): Promise<string[]> {
    return this.mutex.run(async () => {
      const state = await this.load();
      const dropped: string[] = [];
      for (const [network, pool] of Object.entries(state)) {
        const s = parseSubnet(pool.subnet);
        for (const [ip, owner] of Object.entries(pool.owners)) {
          const n = ipToInt(ip);
          if (n !== undefined && contains(s, n) && keep(network, ip, owner)) continue;
          delete pool.owners[ip];
          dropped.push(`${network}/${ip}`);
        }
      }
      if (dropped.length) await writeJson(this.file, state);
      return dropped;
    });
  }

  private load(): Promise<State> {
    return readJson<State>(this.file, {});
  }
}
