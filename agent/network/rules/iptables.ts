// Applies rendered rules with iptables-restore and keeps the jumps from the built-in chains in
// place. Creates idempotently; removes only what it created.
import { run } from '../exec.js';
import { renderIngress } from './ingress.js';
import { chainNames, jumpRules, renderRules, type ChainNames, type RuleState } from './ruleset.js';

export class IptablesRules {
  readonly chains: ChainNames;
  /** Per-port ingress chains that exist now (read from the kernel on first apply). */
  private ingressChains?: Set<string>;
  /** The input of the last apply that succeeded, jumps included: an equal one is a no-op. */
  private lastApplied?: string;

  constructor(prefix: string) {
    this.chains = chainNames(prefix);
  }

  /** Rewrites all of our chains from `state`, then makes sure each jump exists once. */
  async apply(state: RuleState): Promise<void> {
    this.ingressChains ??= await this.existingIngressChains();
    const input = renderRules(this.chains, state, [...this.ingressChains]);
    // Most container starts and removals change no rule (no published port): skip the restore and
    // the six jump probes, seven processes that were serialised behind the network's mutex.
    if (input === this.lastApplied) return;
    this.lastApplied = undefined;
    await run('iptables-restore', ['-w', '--noflush'], { input });
    this.ingressChains = new Set(
      state.ingress ? renderIngress(this.chains.prefix, this.chains, state.ingress).chains : [],
    );
    for (const [table, chain, args] of jumpRules(this.chains)) {
      const probe = await run('iptables', ['-w', '-t', table, '-C', chain, ...args], {
        allowFailure: true,
      });
      if (probe.code !== 0) await run('iptables', ['-w', '-t', table, '-I', chain, '1', ...args]);
    }
    this.lastApplied = input;
  }

  /** Removes the jumps and our chains (tests and `teardown`); leaves every other chain alone. */
  async remove(): Promise<void> {
    this.lastApplied = undefined;
    for (const [table, chain, args] of jumpRules(this.chains)) {
      for (;;) {
        const r = await run('iptables', ['-w', '-t', table, '-D', chain, ...args], {
          allowFailure: true,
        });
        if (r.code !== 0) break;
      }
    }
    const c = this.chains;
    const ingress = [...(this.ingressChains ?? (await this.existingIngressChains()))];
    for (const [table, chain] of [
      ['nat', c.dnat],
      ['nat', c.postrouting],
      ...ingress.map((x) => ['nat', x]),
      ['filter', c.forward],
      ['filter', c.input],
      ['raw', c.raw],
    ]) {
      await run('iptables', ['-w', '-t', table, '-F', chain], { allowFailure: true });
      await run('iptables', ['-w', '-t', table, '-X', chain], { allowFailure: true });
    }
    this.ingressChains = new Set();
  }

  private async existingIngressChains(): Promise<Set<string>> {
    const r = await run('iptables-save', ['-t', 'nat'], { allowFailure: true });
    const head = `:${this.chains.prefix}-ING-`;
    return new Set(
      r.stdout
        .split('\n')
        .filter((l) => l.startsWith(head))
        .map((l) => l.slice(1).split(' ')[0]),
    );
  }
}
