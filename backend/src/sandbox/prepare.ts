import { chmodSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Sandbox } from './types.js';

/**
 * Before a run under another uid: the run file readable by others, and every directory from it up to DATA_DIR
 * searchable (never listable) by others. The store beside them stays 0600.
 */
export function prepareRunFile(sandbox: Sandbox, file: string): void {
  if (!sandbox.uid) return;
  addMode(file, 0o004);
  if (!sandbox.dataDir) return;
  const rel = path.relative(sandbox.dataDir, path.dirname(file));
  if (rel.startsWith('..') || path.isAbsolute(rel)) return;
  for (let d = path.dirname(file); ; d = path.dirname(d)) {
    addMode(d, 0o001);
    if (d === sandbox.dataDir || d === path.dirname(d)) break;
  }
}

function addMode(p: string, bits: number): void {
  try {
    const st = statSync(p);
    if ((st.mode & bits) !== bits) chmodSync(p, (st.mode & 0o7777) | bits);
  } catch {
    // gone, or not ours: the run will say so
  }
}
