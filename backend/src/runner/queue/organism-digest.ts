import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * What a worker must share with the server for its runs to mean the same thing: the organism's manifest (its limits,
 * its input's parameters) and its harness (the trusted half). The genome is not part of it: each job ships its source.
 */
export function digestFiles(files: readonly { name: string; bytes: Buffer | string }[]): string {
  const h = createHash('sha256');
  for (const f of files) {
    const bytes = typeof f.bytes === 'string' ? Buffer.from(f.bytes) : f.bytes;
    // Length-prefixed, so that moving bytes from one file to the next changes the digest.
    h.update(`${f.name}\0${bytes.length}\0`).update(bytes);
  }
  return h.digest('hex');
}

export class OrganismMissing extends Error {
  override name = 'OrganismMissing';
}

/** The digest of organisms/<name>/'s trusted files: manifest.json and the harness module it names. */
export async function organismDigest(organismsDir: string, name: string): Promise<string> {
  const dir = path.join(organismsDir, name);
  let manifest: Buffer;
  try {
    manifest = await readFile(path.join(dir, 'manifest.json'));
  } catch (err) {
    throw new OrganismMissing(`organism "${name}" is not in ${organismsDir} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let harnessName: unknown;
  try {
    harnessName = (JSON.parse(manifest.toString('utf8')) as { harness?: unknown }).harness;
  } catch {
    harnessName = undefined;
  }
  const files = [{ name: 'manifest.json', bytes: manifest }];
  if (typeof harnessName === 'string') {
    const harness = await readFile(path.join(dir, harnessName)).catch(() => Buffer.from('(missing)'));
    files.push({ name: harnessName, bytes: harness });
  }
  return digestFiles(files);
}
