import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** The organism folders: every folder of ORGANISMS_DIR with a manifest.json, in name order. */
export async function discoverOrganisms(organismsDir: string): Promise<string[]> {
  const entries = await readdir(organismsDir, { withFileTypes: true }).catch((err: Error) => {
    throw new Error(`Cannot read ORGANISMS_DIR ${organismsDir}: ${err.message}`);
  });
  const names: string[] = [];
  for (const e of entries) {
    if (!e.isDirectory() || e.name.startsWith('_') || e.name.startsWith('.')) continue;
    if (await stat(path.join(organismsDir, e.name, 'manifest.json')).then(() => true, () => false)) names.push(e.name);
  }
  return names.sort();
}
