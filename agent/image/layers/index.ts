export { LayerStore } from './layer-store.js';
export type { ApplyResult, LayerInfo } from './layer-store.js';
export { chainIdOf, chainIds } from './chain-id.js';
