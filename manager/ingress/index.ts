// The routing mesh on the manager side: ingress port assignment and uniqueness, and the endpoint
// set every agent applies.
export { ingressPortRange, publishedPorts, resolvePorts } from './ports.js';
export { assignPorts } from './assign.js';
export { ingressEndpoints, receivesTraffic } from './endpoints.js';
