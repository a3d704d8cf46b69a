import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GenomeStore } from '../genome/store.js';
import { AuditStore } from './audit-store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const open = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ouroboros-audit-'));
  dirs.push(dir);
  return new GenomeStore(path.join(dir, 'ouroboros.db'));
};
const entry = (i: number) => ({ action: 'resume', method: 'POST', path: '/resume', organism: 'a', genomeBefore: null, genomeAfter: null, status: 200, client: '127.0.0.1', tokenFingerprint: null, detail: { i } });

describe('AuditStore', () => {
  it('keeps the newest `retention` entries (pruning in steps), and they survive a reopening of the store', () => {
    const store = open();
    const audit = new AuditStore(store.database, 100);
    for (let i = 1; i <= 250; i++) audit.record(entry(i));
    const kept = audit.page(null, 500, null).entries;
    // Pruned every tenth of the retention: never more than that over it.
    expect(kept.length).toBeGreaterThanOrEqual(100);
    expect(kept.length).toBeLessThanOrEqual(110);
    expect(kept[0]!.detail).toEqual({ i: 250 });
    expect(kept.at(-1)!.detail.i).toBe(250 - kept.length + 1);
    store.close();

    const again = new GenomeStore(store.file);
    expect(new AuditStore(again.database, 100).page(null, 1, null).entries[0]!.detail).toEqual({ i: 250 });
    again.close();
  });
});
