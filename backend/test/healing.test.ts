import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyChaos } from '../src/chaos/index.js';
import { startFakeChatServer, type FakeChatServer } from './helpers/fake-chat-server.js';
import { createRng } from '../src/lib/rng.js';
import { getJson, useApp, useSharedApp } from './helpers/app.js';
import { FIXTURE_ORGANISMS, waitFor } from './helpers/fixtures.js';

const build = useApp();
// Most fixtures fail by design from genome 0 on: FAILING_SEED=heal starts them and lets the healer take them.
const fixture = (organism: string, extra: Record<string, unknown> = {}) => ({
  organismsDir: FIXTURE_ORGANISMS,
  organism,
  failingSeed: 'heal' as const,
  ...extra,
});
const livePath = (dataDir: string, organism = 'bubble-sort') => path.join(dataDir, 'organisms', organism, 'live.js');

let llm: FakeChatServer | null = null;
afterEach(async () => {
  await llm?.close();
  llm = null;
});

describe('supervisor discipline', () => {
  it('sends a deterministic crash straight to the ladder and quarantines it when nothing can heal it', async () => {
    const { app } = await build(fixture('crash'));
    const status = await waitFor(() => getJson(app, '/status'), (s) => s.state === 'quarantined', { what: 'quarantine' });
    expect(status.quarantine.reason).toMatch(/no genome of this organism has ever passed/);
    expect(status.quarantine.reason).toMatch(/no LLM is configured/);
    expect(status.healing.cannotHeal).toBe(status.quarantine.reason);
    const logs = await getJson(app, '/logs?limit=1000');
    expect(logs.entries.some((e: any) => /may be transient/.test(e.text))).toBe(false);
    expect(logs.entries.some((e: any) => e.source === 'healer' && /quarantined/.test(e.text))).toBe(true);
    // Quarantine probes with a growing delay instead of spinning, and the server stays healthy.
    const later = await waitFor(() => getJson(app, '/status'), (s) => s.quarantine?.nextProbeMs >= 2000, {
      what: 'a longer probe delay',
      timeoutMs: 10_000,
    });
    expect(later.stats.totalRuns).toBeLessThanOrEqual(4);
    expect((await app.inject('/health')).statusCode).toBe(200);
  });

  it('retries a late answer with backoff before healing: a loaded machine makes runs late', async () => {
    const { app } = await build(fixture('slow', { transientRetries: 1 }));
    const during = await waitFor(() => getJson(app, '/status'), (s) => s.state === 'backoff', { what: 'backoff' });
    expect(during.backoff).toMatchObject({ attempt: 1, reason: 'slow may be transient; retrying before healing' });
    const { entries } = await getJson(app, '/logs?limit=100');
    expect(entries.some((e: any) => /slow may be transient; retry 1 of 1/.test(e.text))).toBe(true);
  });

  it('retries a hang with backoff before healing, and says so', async () => {
    // Without the search rung, whose candidates of a hanging genome hang too: this is about the retries.
    const { app } = await build(fixture('hang', { transientRetries: 1, healLadder: ['minimal-revert', 'rollback', 'llm'] }));
    await waitFor(() => getJson(app, '/status'), (s) => s.state === 'backoff', { what: 'backoff' });
    const during = await getJson(app, '/status');
    expect(during.backoff).toMatchObject({ attempt: 1, delayMs: 100 });
    await waitFor(() => getJson(app, '/status'), (s) => s.state === 'quarantined', { what: 'quarantine', timeoutMs: 20_000 });
    const logs = await getJson(app, '/logs?limit=1000');
    expect(logs.entries.filter((e: any) => /hung may be transient; retry 1 of 1/.test(e.text))).toHaveLength(1);
  }, 30_000);

  it('leaves quarantine when the genome changes: an outside edit that works is the new healthy baseline', async () => {
    const { app, dataDir } = await build(fixture('crash'));
    await waitFor(() => getJson(app, '/status'), (s) => s.state === 'quarantined', { what: 'quarantine' });
    const good = readFileSync(path.join(FIXTURE_ORGANISMS, 'good', 'genome.js'), 'utf8');
    writeFileSync(livePath(dataDir, 'crash'), good);
    // The edit is a new source: its whole verification suite runs before it counts.
    const status = await waitFor(() => getJson(app, '/status'), (s) => s.state === 'healthy', { what: 'healthy', timeoutMs: 30_000 });
    expect(status.lastMutation).toMatchObject({ cause: 'external', generation: 1 });
    expect(status.quarantine).toBeNull();
    expect(status.lastIncident.timeToHealMs).toBeGreaterThan(0);
  });
});

describe('edits from outside', () => {
  it('records an edit of live.js within a second, and heals one that breaks the organism', async () => {
    const { app, dataDir } = await build();
    await waitFor(() => getJson(app, '/status'), (s) => s.state === 'healthy', { what: 'healthy' });
    const seed = readFileSync(livePath(dataDir), 'utf8');
    const edited = seed.replace('// Bubble sort organism, genome 0.', '// Bubble sort organism, annotated by hand.');
    const started = Date.now();
    writeFileSync(livePath(dataDir), edited);
    const noticed = await waitFor(() => getJson(app, '/genomes'), (g) => g.genomes[0].cause === 'external', { what: 'the edit' });
    expect(Date.now() - started).toBeLessThan(1500);
    expect(noticed.genomes[0].summary).toMatch(/edited outside Ouroboros \(\+1 -1 lines\)/);
    await waitFor(() => getJson(app, '/status'), (s) => s.state === 'healthy' && s.lastRun.generation === 1, { what: 'judged' });

    writeFileSync(livePath(dataDir), edited.replace('values[i] = values[j];', 'values[i] = values[j] +;'));
    const healed = await waitFor(() => getJson(app, '/status'), (s) => s.state === 'healthy' && s.generation === 3, { what: 'healed' });
    expect(healed.lastMutation.cause).toBe('heal');
    expect(readFileSync(livePath(dataDir), 'utf8')).toBe(edited);
  });
});

describe('minimal revert keeps harmless changes and removes the damage', () => {
  // One app for every case, AUTO_HEAL off so the harmless edit lands on the broken genome before anything heals it.
  // Each case starts from the genome the one before healed to: an app verifies its seed before it runs, seconds apiece.
  const shared = useSharedApp({ autoHeal: false });

  it('refuses to heal a genome that is not failing', async () => {
    const { app } = shared();
    await waitFor(() => getJson(app, '/status'), (s) => s.state === 'healthy', { what: 'healthy' });
    const res = await app.inject({ method: 'POST', url: '/heal' });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'NOTHING_TO_HEAL' });
  });

  it.each(['delete_line', 'syntax_error', 'division_by_zero', 'throw', 'exit_code', 'unhandled_rejection'])(
    '%s',
    async (type) => {
      const { app, dataDir } = shared();
      await waitFor(() => getJson(app, '/status'), (s) => s.state === 'healthy', { what: 'healthy' });
      const healthySource = readFileSync(livePath(dataDir), 'utf8');
      // The organism's first comment line: the seed's, or the note the case before kept.
      const note = healthySource.split('\n').find((l) => l.startsWith('// Bubble sort organism'))!;
      const harmless = `// Bubble sort organism, with a note its keeper wants to keep (${type}).`;
      const chaos = (await app.inject({ method: 'POST', url: '/chaos', payload: { chaos_type: type, seed: 11 } })).json();
      await waitFor(() => getJson(app, '/status'), (s) => s.state === 'sick', { what: 'sick' });
      const broken = readFileSync(livePath(dataDir), 'utf8');
      expect(broken).toContain(note);
      writeFileSync(livePath(dataDir), broken.replace(note, harmless));
      await waitFor(() => getJson(app, '/status'), (s) => s.generation === chaos.generation + 1 && s.lastRun.generation === s.generation, {
        what: 'the edit judged',
      });

      const res = await app.inject({ method: 'POST', url: '/heal' });
      expect(res.json()).toMatchObject({ healed: true });
      const healed = readFileSync(livePath(dataDir), 'utf8');
      expect(healed).toBe(healthySource.replace(note, harmless));
      const { genomes } = await getJson(app, '/genomes?limit=1');
      const record = await getJson(app, `/genomes/${genomes[0].id}`);
      expect(record.detail.strategy).toBe('minimal-revert');
      expect(record.detail.reverted).toHaveLength(1);
      expect(record.detail.kept).toHaveLength(1);
      expect(record.detail.kept[0].description).toMatch(/keeper/);
      await waitFor(() => getJson(app, '/status'), (s) => s.state === 'healthy', { what: 'healthy after heal' });
    },
  );
});

describe('LLM mutation through an OpenAI-compatible endpoint', () => {
  // The search rung would repair the fixture's `n * 3` before the model is asked: these are about the model.
  const LLM_LADDER = { healLadder: ['minimal-revert', 'rollback', 'llm'] as const };
  const goodSource = readFileSync(path.join(FIXTURE_ORGANISMS, 'good', 'genome.js'), 'utf8');

  it('heals a genome that never had a healthy ancestor, and stores prompt, answer, tokens and latency', async () => {
    llm = await startFakeChatServer(() => ({ content: `Here it is:\n\`\`\`js\n${goodSource}\`\`\``, promptTokens: 321, completionTokens: 45 }));
    const { app } = await build(
      fixture('wrong', {
        ...LLM_LADDER,
        llm: { baseUrl: llm.url, apiKey: 'sk-test', model: 'fixture-model', timeoutMs: 5000, maxAttempts: 2, callsPerHour: 10 },
      }),
    );
    const status = await waitFor(() => getJson(app, '/status'), (s) => s.state === 'healthy' && s.generation === 1, { what: 'healed by the LLM' });
    expect(status.lastMutation.summary).toMatch(/^llm: the model/);
    const record = await getJson(app, `/genomes/${status.genomeId}`);
    expect(record.source).toBe(goodSource);
    expect(record.detail.llm.attempts[0]).toMatchObject({ promptTokens: 321, completionTokens: 45, latencyMs: expect.any(Number) });
    expect(record.detail.llm.prompt.length).toBeGreaterThanOrEqual(2);
    expect(record.detail.attempts.map((a: any) => a.strategy)).toEqual(['minimal-revert', 'rollback', 'llm']);
    // The request carried the key, the model, the failure and the contract.
    const request = llm.requests[0]!;
    expect(request.headers.authorization).toBe('Bearer sk-test');
    expect(request.body.model).toBe('fixture-model');
    const user = request.body.messages.map((m: any) => m.content).join('\n');
    expect(user).toMatch(/wrong answer: expected \d+, got \d+/);
    expect(user).toMatch(/Answers, but wrongly/);
  });

  it('refuses an answer that does not compile, tries again, and quarantines with the reasons when all fail', async () => {
    llm = await startFakeChatServer(() => ({ content: '```js\nfunction main( {\n```' }));
    const { app } = await build(
      fixture('wrong', { ...LLM_LADDER, llm: { baseUrl: llm.url, model: 'm', apiKey: undefined, timeoutMs: 5000, maxAttempts: 2, callsPerHour: 10 } }),
    );
    const status = await waitFor(() => getJson(app, '/status'), (s) => s.state === 'quarantined', { what: 'quarantine' });
    expect(status.quarantine.reason).toMatch(/no model answer passed in 2 attempt/);
    expect(status.quarantine.reason).toMatch(/does not compile|SyntaxError|Unexpected/i);
    expect(llm.requests).toHaveLength(2);
    expect(status.generation).toBe(0);
  });
});
