/**
 * Approval mode covers evolution too: with HEAL_MODE=propose, a genuinely faster genome (a merge sort from a local
 * chat-completions server) is confirmed as usual, then waits as a proposal instead of being promoted.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeChatServer, type FakeChatServer } from './helpers/fake-chat-server.js';
import { getJson, useApp } from './helpers/app.js';
import { waitFor } from './helpers/fixtures.js';
import { evolveOverrides, MERGE_SORT, organismCopy } from './evolution.fixtures.js';

const build = useApp();
let llm: FakeChatServer | null = null;
afterEach(async () => {
  await llm?.close();
  llm = null;
});

// One timed input of 10,000 values, where the bubble sort takes a few hundred milliseconds (at 5,000 the two were a tie): the merge sort is clearly faster.
const organismsDir = organismCopy({ benchmark: { sizes: [10_000], sorted: 0 }, repeats: 3 });

describe('HEAL_MODE=propose and evolution', () => {
  it('keeps a confirmed faster genome as a proposal; approving it promotes it with cause evolve', async () => {
    llm = await startFakeChatServer(() => ({ content: `A merge sort.\n\n\`\`\`js\n${MERGE_SORT}\`\`\`\n` }));
    const { app } = await build(
      evolveOverrides(organismsDir, {}, {
        healMode: 'propose',
        llm: { baseUrl: llm.url, apiKey: undefined, model: 'fake-evolver', timeoutMs: 5000, maxAttempts: 1, callsPerHour: 100 },
      }),
    );
    const seed = await waitFor(() => getJson(app, '/status'), (s) => s.state === 'healthy' && s.stats.successes > 0, { what: 'a first good run' });
    const started = await app.inject({ method: 'POST', url: '/evolve', payload: { generations: 1, population: 1, sources: ['llm'], timeBudgetMs: 90_000, seed: 1 } });
    expect(started.statusCode).toBe(202);
    const view = await waitFor(() => getJson(app, '/evolution'), (v) => !v.running, { what: 'the run to end', timeoutMs: 90_000, intervalMs: 200 });
    const [merge] = view.run.candidates;
    expect(merge, JSON.stringify(merge)).toMatchObject({ outcome: 'refused', stage: 'promotion' });
    expect(merge.reason).toMatch(/waits for approval as proposal #\d+ \(HEAL_MODE=propose\)/);

    const { proposals } = await getJson(app, '/proposals?status=pending');
    expect(proposals).toHaveLength(1);
    expect(proposals[0]).toMatchObject({ kind: 'evolve', strategy: 'evolution', baseGenomeId: seed.genomeId, failure: null, verification: { passed: true } });
    expect(proposals[0].diff).toContain('+function mergeSort(values) {');
    // Nothing changed yet: the bubble sort is live and healthy, and the status counts the proposal.
    expect(await getJson(app, '/status')).toMatchObject({ generation: 0, state: 'healthy', pendingProposals: 1 });

    const approved = await app.inject({ method: 'POST', url: `/proposals/${proposals[0].id}/approve` });
    expect(approved.statusCode).toBe(200);
    const genome = await getJson(app, `/genomes/${approved.json().genome.id}`);
    expect(genome).toMatchObject({ generation: 1, cause: 'evolve', source: MERGE_SORT });
    await waitFor(() => getJson(app, '/status'), (s) => s.state === 'healthy' && s.generation === 1, { what: 'the merge sort live and healthy' });
  }, 120_000);
});
