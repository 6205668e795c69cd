// The node certificate over time, agent side: renewed at a random point between 50 % and 80 % of
// its lifetime, or at once when the manager asks (role changed, CA rotating). Each renewal is a
// fresh key and CSR sent over the authenticated session; the answer is checked against the key,
// written atomically (certificate-files.ts) and used by the next connection. The session in use
// keeps its connection. After every change the agent reports its TlsInfo to the manager.
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import type { AgentMessage, ManagerMessage__Output, TlsInfo } from '../../proto/index.js';
import { FlotillaError } from '../../shared/errors/index.js';
import type { Logger } from '../../shared/log/index.js';
import {
  RenewalTimer,
  bundleDigests,
  issuerKeyDigest,
  tryCertificateValidity,
  renewalDelayMs,
} from '../../shared/tls/index.js';
import { saveRenewedCertificate, saveTrustBundle } from './certificate-files.js';
import type { NodeIdentity } from './identity.js';
import { newKeyAndCsr } from './pki.js';

type Issued = NonNullable<ManagerMessage__Output['certificate']>;

export interface CertificateRenewalDeps {
  /** Updated in place after a renewal: the next session connects with the new certificate. */
  identity: NodeIdentity;
  /** <dataRoot>/node; absent keeps renewals in memory (simulated agents). */
  dir?: string;
  hostname: string;
  log: Logger;
  /** @default Date.now */
  now?: () => number;
  /** @default Math.random */
  random?: () => number;
  /** Retry delay after a refused or failed renewal. @default 60000 */
  retryMs?: number;
}

export class CertificateRenewal {
  private readonly log: Logger;
  private readonly timer: RenewalTimer;
  private send?: (msg: AgentMessage) => boolean;
  /** A renewal is wanted (scheduled time reached, or asked for) and not yet done. */
  private due?: string;
  /** The key of the CSR in flight. */
  private pendingKeyPem?: string;
  private stopped = false;
  /** Renewals completed (for tests and logs). */
  renewals = 0;

  constructor(private readonly deps: CertificateRenewalDeps) {
    this.log = deps.log.child({ component: 'certificates' });
    this.timer = new RenewalTimer(
      () => this.renewNow('scheduled renewal'),
      () => this.now(),
    );
  }

  /** What the manager records in the node's description. */
  tlsInfo(): TlsInfo | undefined {
    const { certPem, caCertPem } = this.deps.identity;
    const validity = tryCertificateValidity(certPem);
    if (!validity) return undefined;
    return {
      certNotAfter: validity.notAfter.toISOString(),
      issuerKeyDigest: issuerKeyDigest(certPem, caCertPem) ?? '',
      trustDigests: bundleDigests(caCertPem),
    };
  }

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.timer.clear();
    this.send = undefined;
  }

  /** A session was accepted: renewals go over it (one that became due meanwhile starts now). */
  attach(send: (msg: AgentMessage) => boolean): void {
    this.send = send;
    this.pendingKeyPem = undefined;
    if (this.due) void this.request();
  }

  detach(): void {
    this.send = undefined;
    this.pendingKeyPem = undefined;
  }

  renewNow(reason: string): void {
    if (this.stopped) return;
    this.log.info({ reason }, 'certificate renewal due');
    this.due = reason;
    if (this.send && !this.pendingKeyPem) void this.request();
  }

  /** Routes the manager's certificate messages; true when it was one. */
  handle(msg: ManagerMessage__Output): boolean {
    if (msg.payload === 'renewNow' && msg.renewNow) this.renewNow(msg.renewNow.reason || 'asked');
    else if (msg.payload === 'certificate' && msg.certificate)
      void this.received(msg.certificate).catch((err) => this.failed(err));
    else if (msg.payload === 'trust' && msg.trust)
      void this.trust(msg.trust.caCertPem).catch((err) =>
        this.log.warn({ err }, 'saving the trust bundle failed'),
      );
    else return false;
    return true;
  }

  private async request(): Promise<void> {
    const { keyPem, csrPem } = await newKeyAndCsr(this.deps.hostname);
    if (!this.send) return;
    this.pendingKeyPem = keyPem;
    if (!this.send({ renew: { csrPem } })) this.pendingKeyPem = undefined;
  }

  private async received(issued: Issued): Promise<void> {
    const keyPem = this.pendingKeyPem;
    this.pendingKeyPem = undefined;
    if (issued.errorJson)
      throw FlotillaError.fromJSON(
        JSON.parse(issued.errorJson) as Parameters<typeof FlotillaError.fromJSON>[0],
      );
    if (!keyPem) return;
    const id = this.deps.identity;
    const leaf = new X509Certificate(issued.certPem);
    const mine = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
    const theirs = leaf.publicKey.export({ type: 'spki', format: 'der' });
    if (!mine.equals(theirs) || !leaf.subject.split('\n').includes(`CN=${id.nodeId}`))
      throw new Error('the issued certificate is not for this key and node');
    const caCertPem = issued.caCertPem || id.caCertPem;
    if (this.deps.dir)
      await saveRenewedCertificate(this.deps.dir, { keyPem, certPem: issued.certPem, caCertPem });
    Object.assign(id, { keyPem, certPem: issued.certPem, caCertPem });
    this.due = undefined;
    this.renewals++;
    const info = this.tlsInfo();
    this.log.info({ notAfter: info?.certNotAfter }, 'node certificate renewed');
    if (info) this.send?.({ tls: info });
    this.schedule();
  }

  private async trust(caCertPem: string): Promise<void> {
    if (!caCertPem || caCertPem === this.deps.identity.caCertPem) return;
    if (this.deps.dir) await saveTrustBundle(this.deps.dir, caCertPem);
    this.deps.identity.caCertPem = caCertPem;
    this.log.info({ roots: bundleDigests(caCertPem).length }, 'trust bundle updated');
    const info = this.tlsInfo();
    if (info) this.send?.({ tls: info });
  }

  private failed(err: unknown): void {
    this.log.warn({ err }, 'certificate renewal failed, will retry');
    if (!this.stopped) this.timer.at(this.now() + (this.deps.retryMs ?? 60_000));
  }

  private schedule(): void {
    if (this.stopped) return;
    const validity = tryCertificateValidity(this.deps.identity.certPem);
    if (!validity)
      return void this.log.warn('the node certificate cannot be read; no renewal planned');
    this.timer.at(this.now() + renewalDelayMs(validity, this.now(), this.deps.random));
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }
}
