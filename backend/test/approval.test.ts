import { createHash } from 'node:crypto';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { getJson, useApp } from './helpers/app.js';
import { configRefusal, REAL_ORGANISMS, tempDir, testConfig, waitFor } from './helpers/fixtures.js';

// Approval mode against the real bubble sort: chaos breaks it, the ladder finds and verifies a repair, and the repair
// waits for a person instead of being promoted.
const build = useApp();
const TOKEN = 'approval-test-token-0123456789abcdef';
const auth = { authorization: `Bearer ${TOKEN}` };
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

const post = (app: FastifyInstance, url: string, payload?: object) =>
  app.inject({ method: 'POST', url, headers: auth, ...(payload ? { payload } : {}) });

async function healthy(app: FastifyInstance) {
  return waitFor(() => getJson(app, '/status'), (s) => s.state === 'healthy', { what: 'healthy' });
}

/** Breaks the live genome and waits for the repair it proposes; returns the chaos generation and the proposal. */
async function chaosUntilProposed(app: FastifyInstance, type = 'syntax_error', seed = 11, prefix = '') {
  const chaos = await post(app, `${prefix}/chaos`, { chaos_type: type, seed });
  expect(chaos.statusCode).toBe(200);
  const generation = chaos.json().generation as number;
  const listed = await waitFor(
    () => getJson(app, `${prefix}/proposals?status=pending`),
    (l) => l.proposals.some((p: any) => p.baseGeneration === generation),
    { what: `a proposal for generation ${generation}` },
  );
  return { generation, proposal: listed.proposals[0] };
}

/** The log lines that tell of a climb of the ladder for one generation. */
async function climbsOf(app: FastifyInstance, generation: number): Promise<number> {
  const { entries } = await getJson(app, '/logs?limit=1000');
  return entries.filter((e: any) => e.text.startsWith(`generation ${generation} is `) && /climbing the repair ladder/.test(e.text)).length;
}

describe('HEAL_MODE=propose', () => {
  it('keeps a verified repair pending with its diff, cause and verification; approval promotes it as the next generation', async () => {
    const { app } = await build({ healMode: 'propose', token: TOKEN });
    await healthy(app);
    const seed = await getJson(app, '/status');
    expect(seed).toMatchObject({ healMode: 'propose', pendingProposals: 0 });

    const { generation, proposal } = await chaosUntilProposed(app);
    expect(proposal).toMatchObject({
      organism: 'bubble-sort',
      kind: 'heal',
      status: 'pending',
      strategy: 'minimal-revert',
      baseGeneration: generation,
      failure: { verdict: expect.any(String) },
      verification: { passed: true },
      decidedBy: null,
      genomeId: null,
    });
    expect(proposal.diff).toContain(`a/genome.js (generation ${generation})`);
    expect(proposal.diff).toMatch(/^-.*$/m);
    // Nothing was promoted: the broken genome stays live and the organism sick, and the ladder does not climb again.
    const sick = await waitFor(() => getJson(app, '/status'), (s) => s.state === 'sick' && s.stats.totalRuns > seed.stats.totalRuns + 3, { what: 'more failing runs' });
    expect(sick).toMatchObject({ generation, pendingProposals: 1 });
    expect(await climbsOf(app, generation)).toBe(1);
    expect((await getJson(app, '/proposals')).count).toBe(1);

    const detail = await getJson(app, `/proposals/${proposal.id}`);
    const seedSource = (await getJson(app, `/genomes/${seed.genomeId}`)).source;
    expect(detail.source).toBe(seedSource);

    // A change needs the token, as every change does.
    expect((await app.inject({ method: 'POST', url: `/proposals/${proposal.id}/approve` })).statusCode).toBe(401);
    const approved = await post(app, `/proposals/${proposal.id}/approve`);
    expect(approved.statusCode).toBe(200);
    const body = approved.json();
    const fingerprint = createHash('sha256').update(TOKEN).digest('hex').slice(0, 12);
    expect(body.genome.generation).toBe(generation + 1);
    expect(body.proposal).toMatchObject({ status: 'approved', genomeId: body.genome.id, decidedBy: { address: '127.0.0.1', tokenFingerprint: fingerprint } });
    expect(JSON.stringify(body)).not.toContain(TOKEN);

    const after = await healthy(app);
    expect(after).toMatchObject({ generation: generation + 1, pendingProposals: 0, lastMutation: { cause: 'heal' } });
    const promoted = await getJson(app, `/genomes/${body.genome.id}`);
    expect(promoted.parentId).toBe(proposal.baseGenomeId);
    expect(promoted.source).toBe(seedSource);
    expect(promoted.detail).toMatchObject({ strategy: 'minimal-revert', proposal: { id: proposal.id } });

    // Deciding again, or deciding what does not exist, changes nothing and says why.
    const twice = await post(app, `/proposals/${proposal.id}/approve`);
    expect(twice.statusCode).toBe(409);
    expect(twice.json()).toMatchObject({ code: 'PROPOSAL_DECIDED', message: expect.stringMatching(/already approved by 127\.0\.0\.1/) });
    expect((await post(app, `/proposals/${proposal.id}/reject`)).statusCode).toBe(409);
    expect((await post(app, '/proposals/999999/approve')).json()).toMatchObject({ statusCode: 404, code: 'PROPOSAL_NOT_FOUND' });
    expect((await app.inject('/proposals/999999')).statusCode).toBe(404);
    expect((await app.inject('/proposals/abc')).json()).toMatchObject({ statusCode: 400, message: expect.stringMatching(/whole number/) });
    expect((await post(app, '/proposals/0/reject')).statusCode).toBe(400);
    expect((await app.inject('/proposals?status=maybe')).statusCode).toBe(400);
    expect((await getJson(app, '/organisms/bubble-sort/proposals')).proposals.map((p: any) => p.id)).toEqual([proposal.id]);
    expect((await getJson(app, '/status')).generation).toBe(generation + 1);

    // The audit trail has the decision: who (the token's fingerprint, never the token), and the genome before and after.
    const { entries } = await getJson(app, '/audit?limit=20');
    expect(entries.find((e: any) => e.action === 'approve' && e.path === `/proposals/${proposal.id}/approve` && e.status === 200)).toMatchObject({
      organism: 'bubble-sort',
      status: 200,
      genomeBefore: proposal.baseGenomeId,
      genomeAfter: body.genome.id,
      tokenFingerprint: fingerprint,
    });

    // The event stream told of both steps.
    const events = app.store.recentStreamEvents(5000).map((e) => JSON.parse(e.json)).filter((e) => e.type === 'proposal');
    expect(events.map((e) => [e.phase, e.proposal.status])).toEqual([['proposed', 'pending'], ['decided', 'approved']]);
  }, 60_000);

  it("follows an organism's manifest over the server's mode; a rejection leaves it sick, and PROPOSAL_RUNS=pause stops its runs", async () => {
    // The server heals automatically; this organism's manifest asks for approval.
    const dir = tempDir('ouroboros-organisms-');
    cleanups.push(dir.cleanup);
    cpSync(path.join(REAL_ORGANISMS, 'bubble-sort'), path.join(dir.dir, 'bubble-sort'), { recursive: true });
    const manifest = path.join(dir.dir, 'bubble-sort', 'manifest.json');
    writeFileSync(manifest, JSON.stringify({ ...JSON.parse(readFileSync(manifest, 'utf8')), healMode: 'propose' }));
    const { app } = await build({ organismsDir: dir.dir, healMode: 'auto', proposalRuns: 'pause', token: TOKEN });
    await healthy(app);
    expect((await getJson(app, '/status')).healMode).toBe('propose');

    const { generation, proposal } = await chaosUntilProposed(app, 'throw', 5);
    const paused = await waitFor(() => getJson(app, '/status'), (s) => s.state === 'sick', { what: 'sick' });
    const rejected = await post(app, `/organisms/bubble-sort/proposals/${proposal.id}/reject`);
    expect(rejected.statusCode).toBe(200);
    expect(rejected.json()).toMatchObject({ genome: null, proposal: { status: 'rejected', reason: expect.stringMatching(/rejected by 127\.0\.0\.1/) } });
    // No runs while the decision is held, no second climb, no second proposal; the genome stays as it is.
    await new Promise((r) => setTimeout(r, 600));
    const later = await getJson(app, '/status');
    expect(later).toMatchObject({ state: 'sick', generation, pendingProposals: 0 });
    expect(later.stats.totalRuns).toBe(paused.stats.totalRuns);
    expect(await climbsOf(app, generation)).toBe(1);
    expect((await getJson(app, '/proposals')).count).toBe(1);

    // Asked to heal again, the ladder climbs and proposes anew (in propose mode it never promotes on its own).
    const heal = await post(app, '/heal');
    expect(heal.json()).toMatchObject({ healed: false, message: expect.stringMatching(/waits for approval as proposal #\d+/) });
    expect((await getJson(app, '/proposals?status=pending')).count).toBe(1);
  }, 60_000);

  it('supersedes a proposal when the live genome changes, answers 409 to its approval, and keeps a pending one across a restart', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.cleanup);
    const config = testConfig(tmp.dir, { healMode: 'propose', token: TOKEN });
    let app = await buildApp(config);
    try {
      await healthy(app);
      const first = await chaosUntilProposed(app, 'syntax_error', 11);
      // Chaos on top of the broken genome: the first proposal was made for code that is gone.
      const second = await chaosUntilProposed(app, 'delete_line', 3);
      expect(second.generation).toBe(first.generation + 1);
      const old = await getJson(app, `/proposals/${first.proposal.id}`);
      expect(old).toMatchObject({ status: 'superseded', reason: expect.stringMatching(/chaos\) replaced the genome it was made for/) });
      const stale = await post(app, `/proposals/${first.proposal.id}/approve`);
      expect(stale.statusCode).toBe(409);
      expect(stale.json().message).toMatch(/already superseded.*replaced the genome it was made for/);
      expect((await getJson(app, '/status')).generation).toBe(second.generation);
      await app.close();

      // Restarted on the same DATA_DIR: still pending, still sick, and approving it heals.
      app = await buildApp(config);
      expect((await getJson(app, '/proposals?status=pending')).proposals.map((p: any) => p.id)).toEqual([second.proposal.id]);
      await waitFor(() => getJson(app, '/status'), (s) => s.state === 'sick', { what: 'sick after the restart' });
      expect(await climbsOf(app, second.generation)).toBe(1);
      const approved = await post(app, `/proposals/${second.proposal.id}/approve`);
      expect(approved.statusCode).toBe(200);
      expect(approved.json().genome.generation).toBe(second.generation + 1);
      await healthy(app);
    } finally {
      await app.close();
    }
  }, 60_000);

  it('refuses an unknown HEAL_MODE or PROPOSAL_RUNS, naming the values it takes', () => {
    const message = configRefusal;
    expect(message({ HEAL_MODE: 'ask' })).toMatch(/HEAL_MODE="ask": must be auto .* or propose/);
    expect(message({ PROPOSAL_RUNS: 'stop' })).toMatch(/PROPOSAL_RUNS="stop": must be pause or continue/);
    expect(loadConfig({})).toMatchObject({ healMode: 'auto', proposalRuns: 'continue' });
  });
});
