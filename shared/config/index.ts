export {
  defaultDataRoot,
  defaultExecRoot,
  defaultAgentSocket,
  defaultAgentHost,
  defaultManagerGrpcPort,
  defaultManagerApiPort,
  cliConfigDir,
  socketPathFromHost,
} from './paths.js';
export { readConfigFile, readSettingsFile, resolveSettings, envName } from './resolve.js';
export { resolveJoinToken } from './join-token.js';
