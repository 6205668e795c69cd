// Public surface of the client-side VIPs: the rules each local overlay container's namespace holds.
export { VipRules, nsenterRestore, type VipRulesDeps } from './namespace-rules.js';
export {
  namespaceRules,
  renderChainUpdate,
  renderNamespaceRules,
  renderVipFragment,
  vipChain,
  type NamespaceRules,
  type VipFragment,
} from './render.js';
