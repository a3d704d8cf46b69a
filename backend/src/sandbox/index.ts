export { sandboxCommand, runRlimits, type RunSpec } from './command.js';
export { clearSandboxCache, detectSandbox, sandboxStartupLines, type DetectOptions } from './detect.js';
export { inheritableFds, sandboxStdio } from './fds.js';
export { reapLeftovers, removePidfile, writePidfile, type PidRecord, type ReapResult } from './pidfile.js';
export {
  defaultSandboxSettings,
  OPTIONAL_LAYERS,
  type LayerName,
  type OptionalLayer,
  type SandboxSettings,
} from './settings.js';
export { sandboxSettingsFromEnv } from '../config.js';
export type { RunRlimits, Sandbox, SandboxLayer, SandboxReport } from './types.js';
export { prepareRunFile } from './prepare.js';
