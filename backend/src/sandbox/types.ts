import type { LayerName } from './settings.js';

export interface SandboxLayer {
  name: LayerName;
  active: boolean;
  /** What the layer does here, or why it is missing. */
  detail: string;
  /** When a missing layer is missing for a reason the person running the server can remove: the command that does. */
  fix?: string;
}

export interface SandboxReport {
  node: { path: string; version: string };
  /** Names of the active layers, for a quick look. */
  active: LayerName[];
  layers: SandboxLayer[];
}

/**
 * What detectSandbox found and chose: everything runChild needs to wrap one organism run. A field that is null
 * or false is a layer that is off (missing on this platform, or switched off).
 */
export interface Sandbox {
  readonly report: SandboxReport;
  /** The organism's Node binary and its version. */
  readonly nodePath: string;
  readonly nodeVersion: string;
  /** `--permission` (Node 22+) or `--experimental-permission` (Node 20); null when the layer is off. */
  readonly permissionFlag: string | null;
  /** Flags given to every organism's node besides the permission ones (quiets the experimental warning). */
  readonly nodeFlags: readonly string[];
  /** prlimit and the measured address space of an idle node, which the address-space limit adds to. */
  readonly rlimits: { prlimit: string; baselineMb: number } | null;
  /** setpriv --pdeathsig: the organism is SIGKILLed when the server dies. */
  readonly parentDeath: { setpriv: string } | null;
  readonly uid: { setpriv: string; uid: number; gid: number } | null;
  readonly namespaces: { unshare: string; user: boolean; pid: boolean; mountProc: boolean; net: boolean } | null;
  /** Where a pidfile per running organism is kept (DATA_DIR/pids). */
  readonly pidDir: string | null;
  /** DATA_DIR: directories under it are made searchable (never listable) for the organism's uid. */
  readonly dataDir: string | null;
}

/** Limits of the rlimits layer for one run. */
export interface RunRlimits {
  addressSpaceMb: number;
  cpuSeconds: number;
  fileSizeBytes: number;
  openFiles: number;
  processes: number;
}
