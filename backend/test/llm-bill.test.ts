/**
 * The LLM's bill end to end: a real app heals through a real local chat-completions server that reports its token
 * usage, and the cost shows in /status, the heal's record and /metrics, survives a restart, and stops further
 * calls once the day's budget is spent.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeChatServer, type FakeChatServer } from './helpers/fake-chat-server.js';
import { getJson, useApp } from './helpers/app.js';
import { FIXTURE_ORGANISMS, waitFor } from './helpers/fixtures.js';

const build = useApp();
const goodSource = readFileSync(path.join(FIXTURE_ORGANISMS, 'good', 'genome.js'), 'utf8');
const PROMPT = 321;
const COMPLETION = 45;
// $3 per million prompt tokens and $15 per million completion tokens: one call costs $0.001638.
const prices = { inPerMTok: 3, outPerMTok: 15 };
const ONE_CALL = (PROMPT * 3 + COMPLETION * 15) / 1e6;

let llm: FakeChatServer | null = null;
afterEach(async () => {
  await llm?.close();
  llm = null;
});

const settings = (url: string, dailyBudgetUsd: number | null = null) => ({
  organismsDir: FIXTURE_ORGANISMS,
  organism: 'wrong',
  failingSeed: 'heal' as const,
  // Only the model can heal here: each incident is one call.
  healLadder: ['llm'] as const,
  llm: { baseUrl: url, apiKey: 'sk-test', model: 'fixture-model', timeoutMs: 5000, maxAttempts: 2, callsPerHour: 100 },
  llmBill: { prices, dailyBudgetUsd },
});

describe("the LLM's bill", () => {
  it('prices each heal, totals it per organism and day in /status and /metrics, and keeps it across a restart', async () => {
    llm = await startFakeChatServer(() => ({ content: `\`\`\`js\n${goodSource}\`\`\``, promptTokens: PROMPT, completionTokens: COMPLETION }));
    const first = await build(settings(llm.url));
    const healed = await waitFor(() => getJson(first.app, '/status'), (s) => s.generation === 1, { what: 'healed by the LLM' });
    expect(healed.llm).toMatchObject({ model: 'fixture-model', prices, dailyBudgetUsd: null, blocked: null });
    expect(healed.llm.spentTodayUsd).toBeCloseTo(ONE_CALL, 12);
    expect(healed.llm.organism.today).toMatchObject({ calls: 1, promptTokens: PROMPT, completionTokens: COMPLETION, unpriced: 0 });
    expect(healed.llm.organism.total.costUsd).toBeCloseTo(ONE_CALL, 12);
    // The heal's own record says what it cost.
    const record = await getJson(first.app, `/genomes/${healed.genomeId}`);
    expect(record.detail.llm.costUsd).toBeCloseTo(ONE_CALL, 12);
    expect(record.detail.llm.attempts[0].costUsd).toBeCloseTo(ONE_CALL, 12);

    const metrics = (await first.app.inject('/metrics')).body;
    expect(metrics).toMatch(/ouroboros_llm_calls_total\{organism="wrong",purpose="heal"\} 1\n/);
    expect(metrics).toMatch(/ouroboros_llm_prompt_tokens_total\{organism="wrong",purpose="heal"\} 321\n/);
    const cost = Number(/ouroboros_llm_cost_usd_total\{organism="wrong",purpose="heal"\} ([\d.e-]+)/.exec(metrics)?.[1]);
    expect(cost).toBeCloseTo(ONE_CALL, 12);

    // A restart on the same DATA_DIR forgets nothing of the bill.
    await first.app.close();
    const again = await build(settings(llm.url), {}, first.dataDir);
    const after = await getJson(again.app, '/status');
    expect(after.llm.organism.total).toMatchObject({ calls: 1, promptTokens: PROMPT, completionTokens: COMPLETION });
    expect(after.llm.spentTodayUsd).toBeCloseTo(ONE_CALL, 12);
  });

  it('stops calling the model once the day has spent its budget, and the status says why', async () => {
    llm = await startFakeChatServer(() => ({ content: `\`\`\`js\n${goodSource}\`\`\``, promptTokens: PROMPT, completionTokens: COMPLETION }));
    // Less than one call: the first call is made (nothing is spent yet), the next is refused.
    const { app, dataDir } = await build(settings(llm.url, ONE_CALL / 2));
    const healed = await waitFor(() => getJson(app, '/status'), (s) => s.generation === 1, { what: 'healed by the LLM' });
    expect(healed.llm.blocked).toMatch(/daily LLM budget is spent: \$0\.0016 of \$0\.0008 today \(LLM_DAILY_BUDGET_USD\); LLM calls resume at \d{4}-\d\d-\d\dT00:00:00\.000Z/);

    const res = await app.inject({ method: 'POST', url: '/chaos', payload: { chaos_type: 'syntax_error', seed: 3 } });
    expect(res.statusCode).toBe(200);
    const stuck = await waitFor(() => getJson(app, '/status'), (s) => s.state === 'quarantined', { what: 'quarantined: the budget is spent' });
    expect(stuck.quarantine.reason).toMatch(/daily LLM budget is spent/);
    expect(llm.requests).toHaveLength(1);
    expect(stuck.llm.organism.today.calls).toBe(1);

    // The cap holds across a restart too: the day's spend is read back from the store.
    await app.close();
    const again = await build(settings(llm.url, ONE_CALL / 2), {}, dataDir);
    const status = await getJson(again.app, '/status');
    expect(status.llm.blocked).toMatch(/daily LLM budget is spent/);
  });

  it('says nothing of a bill when no LLM is configured', async () => {
    const { app } = await build({ organismsDir: FIXTURE_ORGANISMS, organism: 'good' });
    expect((await getJson(app, '/status')).llm).toBeNull();
    expect((await app.inject('/metrics')).body).not.toMatch(/ouroboros_llm_calls_total\{/);
  });
});
