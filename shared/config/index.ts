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
export { readConfigFile, resolveSettings, envName } from './resolve.js';
