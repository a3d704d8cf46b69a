// The variables that set these (SANDBOX, SANDBOX_DISABLE, SANDBOX_UID, ORGANISM_NODE) are parsed with every other
// variable in config.ts.

/** The layers that can be switched off (the empty environment, pipes and the process group are always on). */
export const OPTIONAL_LAYERS = [
  'permission',
  'rlimits',
  'pidfile',
  'parent-death',
  'uid',
  'pid-namespace',
  'net-namespace',
] as const;
export type OptionalLayer = (typeof OPTIONAL_LAYERS)[number];
export type LayerName = 'environment' | 'process-group' | OptionalLayer;

export interface SandboxSettings {
  /** SANDBOX=off: only the layers that are always on (what runs had before the sandbox). */
  readonly enabled: boolean;
  /** SANDBOX_DISABLE: layers switched off by hand, for a platform where one misbehaves. */
  readonly disabled: ReadonlySet<OptionalLayer>;
  /** ORGANISM_NODE: the Node binary organisms run on (default: the server's own). */
  readonly nodePath: string;
  /** SANDBOX_UID: the unprivileged user and group organisms run as when the server is root. */
  readonly uid: number;
  readonly gid: number;
}

export const DEFAULT_SANDBOX_UID = 65534;

export function defaultSandboxSettings(overrides: Partial<SandboxSettings> = {}): SandboxSettings {
  return {
    enabled: true,
    disabled: new Set(),
    nodePath: process.execPath,
    uid: DEFAULT_SANDBOX_UID,
    gid: DEFAULT_SANDBOX_UID,
    ...overrides,
  };
}
