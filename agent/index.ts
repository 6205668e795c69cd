export { runAgent } from './main.js';
