// Certificate lifecycle helpers shared by agents and managers: the renewal schedule and reading
// certificates (validity, issuing key, bundles). Issuing stays in manager/ca.
export {
  renewalDelayMs,
  isExpired,
  renewalWindowStart,
  renewalWindowEnd,
} from './renewal-schedule.js';
export {
  bundleDigests,
  certificateValidity,
  tryCertificateValidity,
  issuerKeyDigest,
  publicKeyDigest,
  splitPemBundle,
} from './certificate-info.js';
export { RenewalTimer } from './renewal-timer.js';
export { managerServerCheck, notManagerReason } from './manager-identity.js';
