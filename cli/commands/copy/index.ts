// `cp` and `container cp`: a group of its own, so that `run` and the other container verbs do not
// load tar-stream.
export { registerCopyCommands } from './cp.js';
