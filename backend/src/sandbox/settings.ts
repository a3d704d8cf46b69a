import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../config.js';

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

/**
 * Reads SANDBOX, SANDBOX_DISABLE, SANDBOX_UID and ORGANISM_NODE. A wrong value is a ConfigError naming the
 * variable; a layer the platform lacks is not an error (detection reports it).
 */
export function sandboxSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): SandboxSettings {
  const issues: string[] = [];
  const get = (k: string) => (env[k] === undefined || env[k] === '' ? undefined : env[k]!.trim());

  const sandbox = get('SANDBOX') ?? 'on';
  if (!['on', 'off', 'true', 'false', '1', '0'].includes(sandbox)) {
    issues.push(`SANDBOX=${JSON.stringify(sandbox)}: must be on or off`);
  }
  const disabled = new Set<OptionalLayer>();
  for (const name of (get('SANDBOX_DISABLE') ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    if ((OPTIONAL_LAYERS as readonly string[]).includes(name)) disabled.add(name as OptionalLayer);
    else issues.push(`SANDBOX_DISABLE=${JSON.stringify(get('SANDBOX_DISABLE'))}: unknown layer "${name}"; layers: ${OPTIONAL_LAYERS.join(', ')}`);
  }
  let uid = DEFAULT_SANDBOX_UID;
  let gid = DEFAULT_SANDBOX_UID;
  const uidText = get('SANDBOX_UID');
  if (uidText !== undefined) {
    const m = /^(\d+)(?::(\d+))?$/.exec(uidText);
    if (!m || Number(m[1]) === 0 || Number(m[2] ?? m[1]) === 0) {
      issues.push(`SANDBOX_UID=${JSON.stringify(uidText)}: must be uid or uid:gid, numbers other than 0 (default 65534:65534)`);
    } else {
      uid = Number(m[1]);
      gid = Number(m[2] ?? m[1]);
    }
  }
  let nodePath = process.execPath;
  const node = get('ORGANISM_NODE');
  if (node !== undefined) {
    nodePath = path.resolve(node);
    try {
      accessSync(nodePath, constants.X_OK);
    } catch {
      issues.push(`ORGANISM_NODE=${JSON.stringify(node)}: must be an executable Node binary`);
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return { enabled: !['off', 'false', '0'].includes(sandbox), disabled, nodePath, uid, gid };
}
