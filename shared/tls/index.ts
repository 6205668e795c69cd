export { managerServerCheck, notManagerReason } from './manager-identity.js';
