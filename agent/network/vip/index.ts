// Public surface of the client-side VIPs: the rules each local overlay container's namespace holds.
export { VipRules, type VipRulesDeps } from './namespace-rules.js';
export { renderNamespaceRules, renderVipFragment, vipChain, type VipFragment } from './render.js';
