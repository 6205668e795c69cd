// This manager's own server certificate over time: renewed at a random point between 50 % and 80 %
// of its lifetime, at once when a CA rotation begins, and re-served with the new trust bundle when
// a rotation ends. The servers (API, dispatcher) follow `onChange` without a restart.
import type { Logger } from '../../shared/log/index.js';
import { RenewalTimer, certificateValidity, renewalDelayMs } from '../../shared/tls/index.js';
import type { StoreCore } from '../store/index.js';
import type { ClusterCa, TlsCredentials } from './cluster-ca.js';
import { recordManagerRenewed } from './rotation.js';

export interface ManagerCertificateDeps {
  ca: ClusterCa;
  store: StoreCore;
  managerId: string;
  /** The credentials the servers were started with; updated in place on every renewal. */
  tls: TlsCredentials;
  /** Issues (and stores on disk) a new key and certificate: bootstrap.ts managerCredentials. */
  issue: () => Promise<TlsCredentials>;
  log: Logger;
  /** @default Date.now */
  now?: () => number;
  /** @default Math.random */
  random?: () => number;
}

export class ManagerCertificate {
  private readonly log: Logger;
  private readonly listeners = new Set<(tls: TlsCredentials) => void>();
  private readonly timer: RenewalTimer;
  /** The signing root's digest when the current certificate was issued. */
  private issuedUnder: string;
  private trustPem: string;
  private running: Promise<void> = Promise.resolve();
  private off?: () => void;
  private stopped = false;

  constructor(private readonly deps: ManagerCertificateDeps) {
    this.log = deps.log.child({ component: 'certificates' });
    this.issuedUnder = deps.ca.cluster.ca.digest;
    this.trustPem = deps.tls.caCertPem;
    this.timer = new RenewalTimer(
      () => void this.renewNow('scheduled renewal'),
      () => this.now(),
    );
  }

  get tls(): TlsCredentials {
    return this.deps.tls;
  }

  /** Called with the new credentials after each renewal or trust change. */
  onChange(listener: (tls: TlsCredentials) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async start(): Promise<void> {
    this.schedule();
    this.off = this.deps.ca.onChange((c) => {
      if (c.ca.digest !== this.issuedUnder) void this.renewNow('the cluster CA is rotating');
      else if (this.deps.ca.trustBundlePem !== this.trustPem) this.retrust();
    });
    // A manager started during a rotation already serves a certificate of the new root.
    await this.recordRenewal();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.off?.();
    this.timer.clear();
    await this.running;
  }

  /** Renews now (serialised with any renewal in flight); also the tests' way to force one. */
  renewNow(reason: string): Promise<void> {
    this.running = this.running.then(() => this.renew(reason));
    return this.running;
  }

  private async renew(reason: string): Promise<void> {
    if (this.stopped) return;
    try {
      const digest = this.deps.ca.cluster.ca.digest;
      const next = await this.deps.issue();
      Object.assign(this.deps.tls, next);
      this.issuedUnder = digest;
      this.trustPem = next.caCertPem;
      const { notAfter } = certificateValidity(next.certPem);
      this.log.info({ reason, notAfter: notAfter.toISOString() }, 'manager certificate renewed');
      this.notify();
      await this.recordRenewal();
    } catch (err) {
      this.log.warn({ err, reason }, 'renewing the manager certificate failed, will retry');
      if (!this.stopped) this.timer.at(this.now() + 60_000);
      return;
    }
    this.schedule();
  }

  /** The old root left the bundle (rotation done): serve the same certificate, trust the new. */
  private retrust(): void {
    this.deps.tls.caCertPem = this.deps.ca.trustBundlePem;
    this.trustPem = this.deps.tls.caCertPem;
    this.log.info('trust bundle changed');
    this.notify();
  }

  private notify(): void {
    for (const l of this.listeners) l(this.deps.tls);
  }

  private async recordRenewal(): Promise<void> {
    if (!this.deps.ca.cluster.ca.rotation || this.issuedUnder !== this.deps.ca.cluster.ca.digest)
      return;
    await recordManagerRenewed(this.deps.store, this.deps.managerId, this.issuedUnder).catch(
      (err) => this.log.warn({ err }, 'recording the renewal for the CA rotation failed'),
    );
  }

  private schedule(): void {
    const delay = renewalDelayMs(
      certificateValidity(this.deps.tls.certPem),
      this.now(),
      this.deps.random,
    );
    if (!this.stopped) this.timer.at(this.now() + delay);
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }
}
