/**
 * Evolution against a real local chat-completions server (test/helpers/fake-chat-server.ts) whose answers are written
 * in this file: a sort that is fast and wrong, the bubble sort renamed (faster only by noise, if at all), a merge
 * sort (genuinely faster) and prose. Only the merge sort may be promoted, and its speedup over the bubble sort at
 * 10,000 elements is recorded with it.
 */
import { createTwoFilesPatch } from 'diff';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeChatServer, type FakeChatServer } from './helpers/fake-chat-server.js';
import { getJson, useApp } from './helpers/app.js';
import { waitFor } from './helpers/fixtures.js';
import { evolveOverrides, MERGE_SORT, organismCopy, REAL_BUBBLE_SORT, RENAMED_BUBBLE_SORT, STRING_SORT } from './evolution.fixtures.js';

const build = useApp();
let llm: FakeChatServer | null = null;
afterEach(async () => {
  await llm?.close();
  llm = null;
});

// One timed input: 10,000 random values, where the bubble sort takes a few hundred milliseconds.
const organismsDir = organismCopy({ benchmark: { sizes: [10_000], sorted: 0 }, repeats: 3 });

const js = (source: string) => `Here is a faster version.\n\n\`\`\`js\n${source}\`\`\`\n`;
const diff = (from: string, to: string) =>
  `A small cleanup:\n\n\`\`\`diff\n${createTwoFilesPatch('a/genome.js', 'b/genome.js', from, to, undefined, undefined, { context: 3 })}\`\`\`\n`;

describe('evolution with an LLM', () => {
  it('promotes a genuinely faster sort, records its speedup at 10,000 elements, and refuses the wrong one and the one faster only by noise', async () => {
    const answers = [js(STRING_SORT), diff(REAL_BUBBLE_SORT, RENAMED_BUBBLE_SORT), js(MERGE_SORT), 'I would rather not write code today.'];
    llm = await startFakeChatServer(() => ({ content: answers.shift() ?? 'nothing more', promptTokens: 1000, completionTokens: 200 }));
    const { app } = await build(
      evolveOverrides(organismsDir, {}, {
        llm: { baseUrl: llm.url, apiKey: undefined, model: 'fake-evolver', timeoutMs: 5000, maxAttempts: 1, callsPerHour: 100 },
        // $1 and $10 per million tokens: each call costs $0.003.
        llmBill: { prices: { inPerMTok: 1, outPerMTok: 10 }, dailyBudgetUsd: null },
      }),
    );
    const seed = await waitFor(() => getJson(app, '/status'), (s) => s.state === 'healthy' && s.stats.successes > 0, { what: 'a first good run' });

    // Generation 1: the wrong sort and the renamed bubble sort; generation 2: the merge sort and prose.
    const started = await app.inject({
      method: 'POST',
      url: '/organisms/bubble-sort/evolve',
      payload: { generations: 2, population: 2, sources: ['llm'], timeBudgetMs: 120_000, seed: 1 },
    });
    expect(started.statusCode).toBe(202);
    expect(started.json().run).toMatchObject({ state: 'running', settings: { generations: 2, population: 2, sources: ['llm'], margin: 0.1 } });
    const again = await app.inject({ method: 'POST', url: '/organisms/bubble-sort/evolve', payload: {} });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('EVOLUTION_RUNNING');

    const view = await waitFor(() => getJson(app, '/organisms/bubble-sort/evolution'), (v) => !v.running, { what: 'the run to end', timeoutMs: 90_000, intervalMs: 200 });
    const run = view.run;
    const outcomes = JSON.stringify(run.candidates.map((c: { outcome: string; stage: string; reason: string }) => `${c.outcome} at ${c.stage}: ${c.reason}`));
    expect(run, outcomes).toMatchObject({ state: 'finished', generation: 2, candidatesTried: 4, accepted: 1, refused: 3 });
    const [wrong, renamed, merge, prose] = run.candidates;

    // Fast but wrong: the oracle on the benchmark's edge cases refuses it before any timing.
    expect(wrong).toMatchObject({ source: 'llm', outcome: 'refused', stage: 'gate' });
    expect(wrong.reason).toMatch(/^fails the gate: wrong on "already sorted": wrong answer: not sorted/);
    // The same program renamed: passes the gate, but is not faster by the margin in both measurements.
    expect(renamed).toMatchObject({ source: 'llm', outcome: 'refused' });
    expect(['screening', 'confirmation']).toContain(renamed.stage);
    expect(renamed.reason).toMatch(/within the 10% margin|slower|not confirmed/);
    // The merge sort: better, confirmed by a second, interleaved measurement, promoted.
    expect(merge).toMatchObject({ source: 'llm', outcome: 'accepted', stage: 'promotion' });
    expect(merge.reason).toMatch(/^confirmed \(faster by/);
    expect(prose).toMatchObject({ outcome: 'refused', stage: 'answer', reason: expect.stringMatching(/no fenced code block/) });

    // The promoted genome: cause evolve, its fitness stored, the speedup at 10,000 elements recorded with it.
    const [promotion] = run.promotions;
    expect(view.live.genomeId).toBe(promotion.genomeId);
    const genome = await getJson(app, `/genomes/${promotion.genomeId}`);
    expect(genome).toMatchObject({ cause: 'evolve', source: MERGE_SORT, healthy: true, fitness: { gate: 'passed' } });
    expect(genome.diff).toContain('+function mergeSort(values) {');
    const at10k = genome.detail.evolve.byInput.find((i: { name: string }) => i.name === 'random 10000');
    // Promoted only when faster by the 10% margin, in CPU time (Node's start-up included, which a faster sort keeps).
    expect(at10k.speedup).toBeGreaterThan(1.1);
    expect(at10k.speedup).toBe(promotion.byInput[0].speedup);
    expect(genome.fitness.timeMs).toBe(promotion.timeMs);
    console.log(
      `[evolution] speedup of the merge sort over the bubble sort at 10,000 elements: ${at10k.speedup}x ` +
        `(bubble sort ${at10k.parentMs} ms, merge sort ${at10k.candidateMs} ms of CPU time: medians of ${genome.fitness.repeats} interleaved runs, whole process)`,
    );

    // Best fitness over time, and the lineage: the seed, then the evolved genome, each with its cause and fitness.
    expect(run.bestOverTime.map((p: { generation: number }) => p.generation)).toEqual([0, 1, 2]);
    expect(run.bestOverTime[2].liveMs).toBeLessThan(run.bestOverTime[0].liveMs);
    expect(view.lineage.map((g: { cause: string }) => g.cause)).toEqual(['evolve', 'seed']);
    expect(view.lineage[0]).toMatchObject({ id: promotion.genomeId, live: true, fitness: { gate: 'passed' } });
    expect(view.lineage[1].id).toBe(seed.genomeId);

    // The model was shown the best versions with their fitness, the best last, and asked to keep the contract.
    expect(llm.requests).toHaveLength(4);
    // The run's bill: four calls, on the organism's evolution account.
    expect(view.runLlmSpend).toMatchObject({ calls: 4, promptTokens: 4000, completionTokens: 800, unpriced: 0 });
    expect(view.runLlmSpend.costUsd).toBeCloseTo(0.012, 12);
    expect((await app.inject('/metrics')).body).toMatch(/ouroboros_llm_calls_total\{organism="bubble-sort",purpose="evolve"\} 4\n/);
    const third = llm.requests[2]!.body.messages as { role: string; content: string }[];
    expect(third[0]!.content).toMatch(/Keep the contract exactly/);
    expect(third[1]!.content).toMatch(/### Version 1 \(the best so far\): [\d.]+ ms, \d+ tokens/);
    expect(third[1]!.content).toContain('function bubbleSort(input)');

    // The organism carries on with its new genome.
    await waitFor(() => getJson(app, '/status'), (s) => s.generation === genome.generation && s.lastRun?.genomeId === genome.id && s.lastRun.verdict === 'ok', { what: 'a run of the evolved genome' });
  }, 120_000);
});
