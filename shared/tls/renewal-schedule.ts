// When a certificate is renewed: at a random point between 50 % and 80 % of its lifetime, as
// swarmkit does, so that a cluster whose certificates were issued together does not renew them all
// at once. Pure: the caller passes the clock reading and the random source.

/** Share of the lifetime before which no renewal is planned. */
export const renewalWindowStart = 0.5;
/** Share of the lifetime by which the renewal is planned at the latest. */
export const renewalWindowEnd = 0.8;

/**
 * Milliseconds from `nowMs` until the certificate valid from `notBefore` to `notAfter` should be
 * renewed; 0 when that point has passed (renew now). `random` returns a number in [0, 1).
 */
export function renewalDelayMs(
  validity: { notBefore: Date; notAfter: Date },
  nowMs: number,
  random: () => number = Math.random,
): number {
  const start = validity.notBefore.getTime();
  const lifetimeMs = validity.notAfter.getTime() - start;
  if (!(lifetimeMs > 0)) return 0;
  const share = renewalWindowStart + random() * (renewalWindowEnd - renewalWindowStart);
  return Math.max(0, Math.round(start + lifetimeMs * share - nowMs));
}

/** True once `nowMs` is past the certificate's end of validity. */
export function isExpired(validity: { notAfter: Date }, nowMs: number): boolean {
  return nowMs >= validity.notAfter.getTime();
}
