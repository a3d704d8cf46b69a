import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GenomeStore, type GenomeRow } from '../../genome/store.js';
import { CallBudget } from '../../llm/call-budget.js';
import { createChatClient } from '../../llm/client.js';
import { LlmLedger } from '../../llm/ledger.js';
import { meteredClient } from '../../llm/metered-client.js';
import { tempDir } from '../../../test/helpers/fixtures.js';
import { startFakeChatServer, type FakeChatServer } from '../../../test/helpers/fake-chat-server.js';
import type { HealContext, TrialOutcome } from '../types.js';
import { failureFingerprint, llmMutation } from './llm-mutation.js';

const BROKEN = "'use strict';\nconsole.log(JSON.stringify(1 +));\n";
const FIXED = "'use strict';\nconsole.log(JSON.stringify(1 + 1));\n";

let server: FakeChatServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

function ctx(trialVerdict: TrialOutcome['verdict'] = 'ok'): HealContext & { trials: string[] } {
  const trials: string[] = [];
  return {
    organism: 'o',
    contract: 'print 2',
    live: { id: 'g1', source: BROKEN, sourceHash: 'h1', generation: 1 } as GenomeRow,
    failure: { runId: 1, seed: 1, verdict: 'crashed', error: 'SyntaxError: Unexpected token (line 2)', stderrTail: '', input: {} },
    lastHealthy: null,
    healthyAncestors: [],
    trial: async (source) => {
      trials.push(source);
      return { verdict: trialVerdict, error: trialVerdict === 'ok' ? null : 'still broken', durationMs: 40, seed: 1 };
    },
    verify: async () => {
      throw new Error('a rung never verifies: the ladder does');
    },
    signal: new AbortController().signal,
    trials,
  };
}

async function strategy(reply: Parameters<typeof startFakeChatServer>[0], opts: { budget?: number; knownFix?: string } = {}) {
  server = await startFakeChatServer(reply);
  return llmMutation({
    client: createChatClient({ baseUrl: server.url, model: 'm', timeoutMs: 2000 }),
    budget: new CallBudget(opts.budget ?? 10),
    maxAttempts: 3,
    knownFix: () => opts.knownFix ?? null,
  });
}

describe('llmMutation', () => {
  it('reuses a fix that worked for the same failure fingerprint instead of calling the model', async () => {
    const s = await strategy(() => ({ content: 'unused' }), { knownFix: FIXED });
    const result = await s.propose(ctx());
    expect(result).toMatchObject({ source: FIXED, detail: { llm: { reused: true } } });
    expect(server!.requests).toHaveLength(0);
  });

  it('ignores line numbers and values in the fingerprint, but not the source or the verdict', () => {
    const a = ctx();
    const b = { ...ctx(), failure: { ...a.failure, error: 'SyntaxError: Unexpected token (line 9)' } };
    expect(failureFingerprint(a)).toBe(failureFingerprint(b));
    expect(failureFingerprint({ ...a, failure: { ...a.failure, verdict: 'wrong' } })).not.toBe(failureFingerprint(a));
    expect(failureFingerprint({ ...a, live: { ...a.live, sourceHash: 'h2' } })).not.toBe(failureFingerprint(a));
  });

  it('stops at the hourly budget and says when the next call is allowed', async () => {
    const s = await strategy(() => ({ content: '```js\nnot valid(\n```' }), { budget: 2 });
    const result = await s.propose(ctx());
    expect('none' in result && result.none).toMatch(/hourly LLM call budget \(2\) is spent; next call in \d+ s/);
    expect(server!.requests).toHaveLength(2);
  });

  it("gives up at once when the daily cap is spent, without using one of the hour's calls", async () => {
    server = await startFakeChatServer(() => ({ content: `\`\`\`js\n${FIXED}\`\`\``, promptTokens: 1000, completionTokens: 0 }));
    const dir = tempDir();
    const store = new GenomeStore(path.join(dir.dir, 'ouroboros.db'));
    try {
      // $1,000 per million prompt tokens and $0.50 a day: the first call spends $1, the next is refused.
      const ledger = new LlmLedger(store, { prices: { inPerMTok: 1000, outPerMTok: 0 }, dailyBudgetUsd: 0.5 });
      const budget = new CallBudget(10);
      const s = llmMutation({ client: meteredClient(createChatClient({ baseUrl: server.url, model: 'm', timeoutMs: 2000 }), ledger, 'heal'), budget, maxAttempts: 3, knownFix: () => null });
      expect(await s.propose(ctx())).toMatchObject({ source: FIXED, detail: { llm: { costUsd: 1 } } });
      const refused = await s.propose(ctx());
      expect('none' in refused && refused.none).toMatch(/^the daily LLM budget is spent: \$1\.00 of \$0\.5000 today/);
      expect(server.requests).toHaveLength(1);
      expect(budget.remaining).toBe(9);
    } finally {
      store.close();
      dir.cleanup();
    }
  });

  it('does not retry an authorisation error, and retries a server error', async () => {
    const denied = await strategy(() => ({ status: 401, message: 'bad key' }));
    const r1 = await denied.propose(ctx());
    expect('none' in r1 && r1.none).toMatch(/401/);
    expect(server!.requests).toHaveLength(1);
    await server!.close();

    let calls = 0;
    const flaky = await strategy(() => (++calls === 1 ? { status: 500, message: 'overloaded' } : { content: `\`\`\`js\n${FIXED}\`\`\`` }));
    const c = ctx();
    const r2 = await flaky.propose(c);
    expect(r2).toMatchObject({ source: FIXED });
    expect(c.trials).toEqual([FIXED]);
  });

  it('feeds a failed trial back to the model and tries again', async () => {
    const s = await strategy(() => ({ content: `\`\`\`js\n${FIXED}\`\`\`` }));
    const c = ctx('wrong');
    const result = await s.propose(c);
    expect('none' in result).toBe(true);
    expect(c.trials).toHaveLength(3);
    const last = server!.requests.at(-1)!.body.messages.at(-1).content;
    expect(last).toMatch(/rejected: the candidate failed its trial: wrong \(still broken\)/);
  });
});
