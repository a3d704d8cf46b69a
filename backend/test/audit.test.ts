import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { getJson, useApp } from './helpers/app.js';
import { waitFor } from './helpers/fixtures.js';

const build = useApp();
const TOKEN = 'a-long-operator-token-0123456789';
const fingerprint = (token: string) => createHash('sha256').update(token).digest('hex').slice(0, 12);
const auth = (token = TOKEN) => ({ authorization: `Bearer ${token}` });

describe('the audit trail', () => {
  it('records each change request: action, genomes before and after, status, client and token fingerprint; never a read', async () => {
    const { app } = await build({ token: TOKEN }, { startWatcher: false });
    const seed = app.supervisor.liveGenome.id;
    const chaos = await app.inject({ method: 'POST', url: '/chaos', headers: auth(), payload: { chaos_type: 'change_literal', seed: 7 } });
    expect(chaos.statusCode).toBe(200);
    const wrong = await app.inject({ method: 'POST', url: '/organisms/bubble-sort/emergency-stop', headers: auth('not-the-token-at-all-000') });
    expect(wrong.statusCode).toBe(401);
    // The seed was never verified here (the watcher did not start): the rollback is refused, and recorded as such.
    expect((await app.inject({ method: 'POST', url: `/genomes/${seed}/rollback`, headers: auth() })).statusCode).toBe(409);
    await app.inject({ method: 'GET', url: '/status' });

    const { entries, next } = await getJson(app, '/audit');
    expect(next).toBeNull();
    expect(entries.map((e: any) => [e.action, e.status])).toEqual([
      ['rollback', 409],
      ['emergency-stop', 401],
      ['chaos', 200],
    ]);
    const [rollback, refused, chaosEntry] = entries;
    const corrupted = chaos.json().genomeId;
    expect(chaosEntry).toMatchObject({
      method: 'POST',
      path: '/chaos',
      organism: 'bubble-sort',
      genomeBefore: seed,
      genomeAfter: corrupted,
      client: '127.0.0.1',
      tokenFingerprint: fingerprint(TOKEN),
    });
    expect(JSON.parse(chaosEntry.detail.body)).toEqual({ chaos_type: 'change_literal', seed: 7 });
    // Refused: nothing changed, and the token that was tried is told apart from the real one without being shown.
    expect(refused).toMatchObject({ organism: 'bubble-sort', genomeBefore: corrupted, genomeAfter: corrupted, tokenFingerprint: fingerprint('not-the-token-at-all-000') });
    expect(rollback).toMatchObject({ path: `/genomes/${seed}/rollback`, genomeBefore: corrupted, genomeAfter: corrupted, tokenFingerprint: fingerprint(TOKEN) });
    expect(JSON.stringify(entries)).not.toContain(TOKEN);
  });

  it('records a fleet-wide control once per organism, and the address the proxy names with TRUST_PROXY', async () => {
    const { app } = await build({ organisms: ['bubble-sort', 'prime-sieve'], trustProxy: true }, { startWatcher: false });
    const res = await app.inject({ method: 'POST', url: '/emergency-stop', headers: { 'x-forwarded-for': '203.0.113.7' } });
    expect(res.statusCode).toBe(200);
    await app.inject({ method: 'POST', url: '/organisms/prime-sieve/resume' });
    const { entries } = await getJson(app, '/audit');
    expect(entries.map((e: any) => [e.action, e.organism, e.client, e.tokenFingerprint])).toEqual([
      ['resume', 'prime-sieve', '127.0.0.1', null],
      ['emergency-stop', 'prime-sieve', '203.0.113.7', null],
      ['emergency-stop', 'bubble-sort', '203.0.113.7', null],
    ]);
    expect((await getJson(app, '/audit?organism=bubble-sort')).entries).toHaveLength(1);
  });

  it('pages newest first with ?before=&limit=, and refuses paging it cannot read with a 400 that says why', async () => {
    const { app } = await build({}, { startWatcher: false });
    for (let i = 0; i < 5; i++) await app.inject({ method: 'POST', url: '/resume' });
    const seen: number[] = [];
    let url = '/audit?limit=2';
    for (;;) {
      const page = await getJson(app, url);
      seen.push(...page.entries.map((e: any) => e.id));
      if (page.next === null) break;
      url = `/audit?limit=2&before=${page.next}`;
    }
    expect(seen).toHaveLength(5);
    expect([...seen].sort((a, b) => b - a)).toEqual(seen);
    for (const [query, message] of [
      ['before=abc', /before.*must be a whole number/],
      ['limit=0', /limit.*must be at least 1/],
      ['limit=100000', /limit.*must be at most 500/],
      ['organism=Not%20A%20Name', /organism.*must be an organism name/],
    ] as const) {
      const res = await app.inject(`/audit?${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(res.json().message, query).toMatch(message);
    }
  });

  it('records what the watcher promotes by itself: an edit of the live file from outside', async () => {
    const { app, dataDir } = await build();
    await waitFor(() => getJson(app, '/status'), (s) => s.state === 'healthy', { what: 'healthy' });
    const seed = app.supervisor.liveGenome.id;
    const live = path.join(dataDir, 'organisms', 'bubble-sort', 'live.js');
    writeFileSync(live, readFileSync(live, 'utf8').replace('// Bubble sort organism, genome 0.', '// Bubble sort organism, edited by hand.'));
    const { entries } = await waitFor(() => getJson(app, '/audit'), (a) => a.entries.length > 0, { what: 'the promotion' });
    expect(entries[0]).toMatchObject({ action: 'promoted', method: null, status: null, client: null, organism: 'bubble-sort', genomeBefore: seed, detail: { cause: 'external', generation: 1 } });
    expect(entries[0].genomeAfter).toBe(app.supervisor.liveGenome.id);
  });
});
