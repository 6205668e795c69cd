// Registry protocol pieces both sides need: the agent's registry client and the manager's digest
// resolver read the same WWW-Authenticate challenges.
export { parseChallenges } from './challenge.js';
export type { AuthChallenge } from './challenge.js';
