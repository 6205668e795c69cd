// Registry credentials: kept by the CLI (cli/registry/credentials.ts), sent to the agent per
// request in X-Registry-Auth, used by the agent's registry client. Never written by the agent.

export interface Credentials {
  username: string;
  password: string;
}
