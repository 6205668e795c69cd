// Applies rendered rules with iptables-restore and keeps the jumps from the built-in chains in
// place. Creates idempotently; removes only what it created.
import { run } from '../exec.js';
import { chainNames, jumpRules, renderRules, type ChainNames, type RuleState } from './ruleset.js';

export class IptablesRules {
  readonly chains: ChainNames;

  constructor(prefix: string) {
    this.chains = chainNames(prefix);
  }

  /** Rewrites all of our chains from `state`, then makes sure each jump exists once. */
  async apply(state: RuleState): Promise<void> {
    await run('iptables-restore', ['-w', '--noflush'], { input: renderRules(this.chains, state) });
    for (const [table, chain, args] of jumpRules(this.chains)) {
      const probe = await run('iptables', ['-w', '-t', table, '-C', chain, ...args], {
        allowFailure: true,
      });
      if (probe.code !== 0) await run('iptables', ['-w', '-t', table, '-I', chain, '1', ...args]);
    }
  }

  /** Removes the jumps and our chains (tests and `teardown`); leaves every other chain alone. */
  async remove(): Promise<void> {
    for (const [table, chain, args] of jumpRules(this.chains)) {
      for (;;) {
        const r = await run('iptables', ['-w', '-t', table, '-D', chain, ...args], {
          allowFailure: true,
        });
        if (r.code !== 0) break;
      }
    }
    const c = this.chains;
    for (const [table, chain] of [
      ['nat', c.dnat],
      ['nat', c.postrouting],
      ['filter', c.forward],
      ['raw', c.raw],
    ]) {
      await run('iptables', ['-w', '-t', table, '-F', chain], { allowFailure: true });
      await run('iptables', ['-w', '-t', table, '-X', chain], { allowFailure: true });
    }
  }
}
