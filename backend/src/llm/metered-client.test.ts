import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GenomeStore } from '../genome/store.js';
import { startFakeChatServer, type FakeChatServer } from '../../test/helpers/fake-chat-server.js';
import { tempDir } from '../../test/helpers/fixtures.js';
import { createChatClient, LlmError } from './client.js';
import { LlmLedger } from './ledger.js';
import { meteredClient } from './metered-client.js';

const ask = [{ role: 'user' as const, content: 'Fix it.' }];
let server: FakeChatServer | null = null;
const open: { store: GenomeStore; cleanup: () => void }[] = [];
afterEach(async () => {
  await server?.close();
  server = null;
  for (const { store, cleanup } of open.splice(0)) {
    store.close();
    cleanup();
  }
});

function newStore(): GenomeStore {
  const tmp = tempDir();
  const store = new GenomeStore(path.join(tmp.dir, 'ouroboros.db'));
  open.push({ store, cleanup: tmp.cleanup });
  return store;
}

describe('the metered chat client', () => {
  it('bills each answered call to its organism and purpose, and refuses calls from the moment the day is spent until UTC midnight', async () => {
    server = await startFakeChatServer(() => ({ content: 'ok', promptTokens: 1000, completionTokens: 100 }));
    let now = Date.UTC(2026, 10, 27, 22);
    const store = newStore();
    // $1/M in, $10/M out: each call costs $0.002; the day may spend $0.003, so the second call crosses it.
    const ledger = new LlmLedger(store, { prices: { inPerMTok: 1, outPerMTok: 10 }, dailyBudgetUsd: 0.003, now: () => now }, 'm');
    const heal = meteredClient(createChatClient({ baseUrl: server.url, model: 'm', timeoutMs: 5000 }), ledger, 'heal');
    const evolve = meteredClient(createChatClient({ baseUrl: server.url, model: 'm', timeoutMs: 5000 }), ledger, 'evolve');

    expect((await heal.complete(ask, { meter: { organism: 'a' } })).costUsd).toBeCloseTo(0.002, 12);
    await evolve.complete(ask, { meter: { organism: 'b', ref: 'run-1' } });
    // Both purposes share the cap: the third call is refused without reaching the server.
    const refused = await heal.complete(ask, { meter: { organism: 'a' } }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(LlmError);
    expect(refused).toMatchObject({ kind: 'budget', retryable: false });
    expect((refused as Error).message).toMatch(/\$0\.0040 of \$0\.0030 today .* resume at 2026-11-28T00:00:00\.000Z/);
    expect(server.requests).toHaveLength(2);

    expect(store.llmSpend({ organism: 'a' })).toMatchObject({ calls: 1, promptTokens: 1000, completionTokens: 100 });
    expect(ledger.costOf('run-1')).toMatchObject({ calls: 1 });
    expect(ledger.spendByOrganism().map((r) => `${r.organism}/${r.purpose}`)).toEqual(['a/heal', 'b/evolve']);

    // A new UTC day opens the budget again; yesterday's calls stay in the totals.
    now = Date.UTC(2026, 10, 28, 0, 0, 1);
    expect(ledger.refusal()).toBeNull();
    await heal.complete(ask, { meter: { organism: 'a' } });
    expect(ledger.bill('a')).toMatchObject({ organism: { today: { calls: 1 }, total: { calls: 2 } } });
    expect(ledger.bill('a').spentTodayUsd).toBeCloseTo(0.002, 12);
  });

  it('counts tokens without prices, and does not invent a cost', async () => {
    server = await startFakeChatServer(() => ({ content: 'ok', promptTokens: 10, completionTokens: 5 }));
    const ledger = new LlmLedger(newStore(), { prices: null, dailyBudgetUsd: null }, 'm');
    const client = meteredClient(createChatClient({ baseUrl: server.url, model: 'm', timeoutMs: 5000 }), ledger, 'heal');
    expect((await client.complete(ask, { meter: { organism: 'a' } })).costUsd).toBeNull();
    expect(ledger.bill('a').organism.total).toEqual({ calls: 1, promptTokens: 10, completionTokens: 5, costUsd: 0, unpriced: 1 });
  });

  it('does not bill a call the server failed', async () => {
    server = await startFakeChatServer(() => ({ status: 500, message: 'overloaded' }));
    const ledger = new LlmLedger(newStore(), { prices: { inPerMTok: 1, outPerMTok: 1 }, dailyBudgetUsd: 1 }, 'm');
    const client = meteredClient(createChatClient({ baseUrl: server.url, model: 'm', timeoutMs: 5000 }), ledger, 'heal');
    await expect(client.complete(ask, { meter: { organism: 'a' } })).rejects.toBeInstanceOf(LlmError);
    expect(ledger.bill('a').organism.total.calls).toBe(0);
  });
});
