import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startFakeChatServer, type FakeChatServer } from './helpers/fake-chat-server.js';
import { getJson, useApp } from './helpers/app.js';
import { FIXTURE_ORGANISMS, tempDir, waitFor } from './helpers/fixtures.js';

const build = useApp();
const goodSource = readFileSync(path.join(FIXTURE_ORGANISMS, 'good', 'genome.js'), 'utf8');

/** The `wrong` fixture with room in its time budget: the repair's trial must not fail for being late on a busy machine. */
function patientWrongOrganism(dir: string): string {
  const organisms = path.join(dir, 'organisms-src');
  for (const name of ['wrong', '_shared', 'package.json']) cpSync(path.join(FIXTURE_ORGANISMS, name), path.join(organisms, name), { recursive: true });
  const manifest = path.join(organisms, 'wrong', 'manifest.json');
  writeFileSync(manifest, JSON.stringify({ ...JSON.parse(readFileSync(manifest, 'utf8')), timeLimitMs: 10_000, slowMs: 8000 }));
  return organisms;
}
// The search rung would repair the fixture's `n * 3` before the model is asked: this heal must wait on the model.
const LLM_LADDER = ['minimal-revert', 'rollback', 'llm'] as const;
const llmConfig = (url: string) => ({ baseUrl: url, apiKey: undefined, model: 'm', timeoutMs: 30_000, maxAttempts: 1, callsPerHour: 10 });

let llm: FakeChatServer | null = null;
afterEach(async () => {
  await llm?.close();
  llm = null;
});
const tmp = tempDir();
const source = tempDir();
afterAll(() => {
  tmp.cleanup();
  source.cleanup();
});

// A heal the server's stop cuts short has learned nothing about the genome: it must not quarantine it, and the
// next start must take the heal up again.
describe('a heal interrupted by a stop', () => {
  it('is not a quarantine, and resumes at the next start', async () => {
    const organismsDir = patientWrongOrganism(source.dir);
    // The model holds its answer: the heal waits on the LLM rung when the server stops.
    let release: () => void = () => {};
    const held = new Promise<void>((r) => (release = r));
    llm = await startFakeChatServer(async () => {
      await held;
      return { content: `\`\`\`js\n${goodSource}\`\`\`` };
    });
    // Its seed is wrong on purpose: started anyway (FAILING_SEED=heal), so the healer meets it at once.
    const first = await build({ organismsDir, organism: 'wrong', failingSeed: 'heal', healLadder: LLM_LADDER, llm: llmConfig(llm.url) }, {}, tmp.dir);
    await waitFor(() => llm!.requests.length, (n) => n === 1, { what: 'the heal to reach the LLM rung', timeoutMs: 30_000 });
    expect((await getJson(first.app, '/status')).state).toBe('healing');
    await first.app.close();
    release();

    // Started again on the same store, with a model that answers: healed, never quarantined.
    await llm.close();
    llm = await startFakeChatServer(() => ({ content: `\`\`\`js\n${goodSource}\`\`\`` }));
    const { app } = await build({ organismsDir, organism: 'wrong', failingSeed: 'heal', healLadder: LLM_LADDER, llm: llmConfig(llm.url) }, {}, tmp.dir);
    const states: string[] = [];
    const healed = await waitFor(
      async () => {
        const s = await getJson(app, '/status');
        states.push(s.state);
        return s;
      },
      (s) => s.state === 'healthy' && s.lastMutation?.cause === 'heal',
      { what: 'the resumed heal', timeoutMs: 30_000 },
    ).catch(async (e: Error) => {
      const { entries } = await getJson(app, '/logs?limit=200');
      throw new Error(`${e.message}\n${entries.map((x: { source: string; text: string }) => `${x.source}: ${x.text}`).join('\n')}`);
    });
    expect(healed.generation).toBe(1);
    expect(states).not.toContain('quarantined');
    const events = app.store.listEvents('wrong', 50).map((e) => e.kind);
    expect(events).toContain('heal-interrupted');
    expect(events).not.toContain('heal-failed');
    const { entries } = await getJson(app, '/logs?limit=200');
    const texts = entries.map((e: { text: string }) => e.text);
    expect(texts).toContainEqual(expect.stringMatching(/the stop interrupted the heal of generation 0; it resumes at the next start/));
    expect(texts).toContainEqual(expect.stringMatching(/resuming the heal of generation 0 that the last stop interrupted/));
    expect(texts.some((t: string) => /quarantined/.test(t))).toBe(false);
  }, 90_000);
});
