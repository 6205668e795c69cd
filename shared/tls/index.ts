// Certificate helpers shared by agents and managers: the renewal schedule, reading
// certificates (validity, issuing key, bundles), and telling a manager's certificate (manager-identity.ts).
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
