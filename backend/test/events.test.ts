/**
 * GET /events against the real server on real sockets: the stream, its replay from a cursor (across a killed and
 * restarted server process), resync, filters, heartbeats, the read rules, and what a client that stops reading
 * costs the server.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import type { Config } from '../src/config.js';
import { JournalEvent, WireEvent } from '../src/events/types.js';
import { getJson, useApp } from './helpers/app.js';
import { FIXTURE_ORGANISMS, tempDir, waitFor } from './helpers/fixtures.js';
import { evolveOverrides, organismCopy } from './evolution.fixtures.js';
import { startServer, type ServerProcess } from './helpers/server-process.js';
import { openStream, SseParser, type Received } from './helpers/sse.js';

const build = useApp();
const TOKEN = 'test-token-0123456789abcdef';
// A small fitness benchmark, so that an evolution run ends within the test; generous limits, so that a loaded
// machine does not make the organism slow (and quarantined) before the run starts.
const evolvingOrganisms = organismCopy({ benchmark: { sizes: [300], sorted: 300 }, repeats: 3 });
const evolvingManifest = path.join(evolvingOrganisms, 'bubble-sort', 'manifest.json');
writeFileSync(evolvingManifest, JSON.stringify({ ...JSON.parse(readFileSync(evolvingManifest, 'utf8')), slowMs: 20_000, timeLimitMs: 30_000 }));

const events = (o: Partial<Config['events']> = {}): Partial<Config> => ({
  events: { retention: 50_000, heartbeatMs: 15_000, clientBufferBytes: 256 * 1024, maxStreamsPerClient: 20, ...o },
});

async function listening(overrides: Partial<Config> = {}, startWatcher = true): Promise<{ app: FastifyInstance; url: string }> {
  const { app } = await build(overrides, { startWatcher });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address() as net.AddressInfo;
  return { app, url: `http://127.0.0.1:${addr.port}` };
}

/** Heap and Buffers still referenced, after full garbage collections (Buffers' memory is freed after a sweep). */
async function heldMemory(): Promise<number> {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 50));
  }
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

const journalIds = (received: Received[]) => received.filter((e) => !['ready', 'heartbeat', 'resync'].includes(e.event)).map((e) => e.data.id as number);
const isReady = (e: Received) => e.event === 'ready';

describe('the SSE reader of the tests', () => {
  it('follows the standard: CRLF, CR or LF, comments, multi-line data, an id without data', () => {
    const p = new SseParser();
    expect(p.push('retry: 10\r\n: hi\r\nid: 1\r\nevent: a\r\ndata: x\r\ndata: y\r')).toEqual([]);
    expect(p.push('\n\r\nid: 2\n\nid: 3\nda')).toEqual([{ id: '1', event: 'a', data: 'x\ny' }]);
    // An id counts when its frame is complete.
    expect(p.lastEventId).toBe('2');
    expect(p.retry).toBe(10);
    expect(p.push('ta: z\n\n')).toEqual([{ id: '3', event: 'message', data: 'z' }]);
  });
});

describe('GET /events', () => {
  it('streams a chaos and its heal as they happen, in order, each event in its documented shape', async () => {
    // A tiny organism: a loaded machine must not make it slow, and so sick, on its own.
    const { url } = await listening({ organismsDir: FIXTURE_ORGANISMS, organism: 'good', ...events({ heartbeatMs: 300 }) });
    const s = await openStream(`${url}/events`);
    expect(s.status).toBe(200);
    expect(s.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(s.headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(s.headers.get('x-accel-buffering')).toBe('no');
    // The API's security headers go along with the stream.
    expect(s.headers.get('x-content-type-options')).toBe('nosniff');
    const ready = await s.next(isReady);
    expect(ready.data).toMatchObject({ replayed: 0, organism: null, types: null, heartbeatMs: 300 });
    await s.next((e) => e.event === 'run');
    const chaos = (await fetch(`${url}/chaos`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"chaos_type":"syntax_error","seed":7}' }).then((r) => r.json())) as { genomeId: string; generation: number; line: number; description: string };
    const healed = await s.next((e) => e.event === 'incident' && e.data.phase === 'closed', { timeoutMs: 60_000 });
    await s.next((e) => e.event === 'heartbeat', { from: s.events.indexOf(healed) });
    s.close();

    for (const e of s.events) expect(() => WireEvent.parse(e.data), JSON.stringify(e.data)).not.toThrow();
    for (const e of s.events) if (e.event !== 'heartbeat' && e.event !== 'ready') expect(e.data.type).toBe(e.event);
    // The SSE id is the cursor, also on heartbeats (so a filtered stream moves on).
    for (const e of s.events) expect(Number(e.id)).toBe(e.data.id);
    const ids = journalIds(s.events);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);

    const at = (accept: (e: Received) => boolean) => s.events.findIndex(accept);
    const promoted = at((e) => e.event === 'promoted' && e.data.cause === 'chaos');
    expect(s.events[promoted]!.data).toMatchObject({ genomeId: chaos.genomeId, generation: chaos.generation, summary: chaos.description });
    const chaosEvent = at((e) => e.event === 'chaos');
    expect(s.events[chaosEvent]!.data).toMatchObject({ chaosType: 'syntax_error', line: chaos.line, genomeId: chaos.genomeId });
    const sick = at((e) => e.event === 'state' && e.data.to === 'sick');
    const failedRun = at((e) => e.event === 'run' && e.data.run.verdict !== 'ok' && e.data.run.genomeId === chaos.genomeId);
    const opened = at((e) => e.event === 'incident' && e.data.phase === 'opened');
    const heal = at((e) => e.event === 'heal' && e.data.outcome === 'healed');
    const healPromoted = at((e) => e.event === 'promoted' && e.data.cause === 'heal');
    const healthy = s.events.findIndex((e, i) => i > sick && e.event === 'state' && e.data.to === 'healthy');
    const closed = s.events.indexOf(healed);
    const sequence = s.events.map((e, i) => `${i}:${e.event}:${e.data.phase ?? e.data.cause ?? e.data.to ?? e.data.run?.verdict ?? ''}`).join(' ');
    expect(promoted).toBeGreaterThan(0);
    expect([promoted, chaosEvent, failedRun, opened, healPromoted, heal, closed].every((i, n, a) => i >= 0 && (n === 0 || i > a[n - 1]!)), sequence).toBe(true);
    expect(sick).toBeGreaterThan(promoted);
    expect(healthy).toBeGreaterThan(sick);
    expect(s.events[failedRun]!.data.run).toMatchObject({ verdict: 'crashed', generation: chaos.generation });
    expect(s.events[closed]!.data.incident.timeToHealMs).toBeGreaterThan(0);
    expect(s.events.some((e) => e.event === 'log' && e.data.entry.source === 'chaos')).toBe(true);
  }, 90_000);

  it('gives a client that reconnects with its cursor exactly the events it missed, across a killed and restarted server', async () => {
    const dir = tempDir();
    const env = { DATA_DIR: dir.dir, LOOP_INTERVAL_MS: '50', ORGANISMS: 'bubble-sort', EVENTS_HEARTBEAT_MS: '500' };
    let server: ServerProcess | null = await startServer(env);
    try {
      const first = await openStream(`${server.url}/events`);
      // A client without a cursor starts from now: what came before is what the REST routes show.
      const start = (await first.next(isReady)).data.id as number;
      await first.next((e) => journalIds(first.events).length >= 15, { timeoutMs: 30_000 });
      server.child.kill('SIGKILL');
      await first.ended;
      await server.stop();
      const before = journalIds(first.events);
      const cursor = Number(first.parser.lastEventId);
      expect(cursor).toBeGreaterThanOrEqual(before[before.length - 1]!);

      server = await startServer(env);
      // Let the restarted server publish some events before the client comes back.
      const watcher = await openStream(`${server.url}/events`);
      await watcher.next(() => journalIds(watcher.events).length >= 5, { timeoutMs: 30_000 });
      watcher.close();

      const again = await openStream(`${server.url}/events`, { headers: { 'last-event-id': String(cursor) } });
      const ready = await again.next(isReady);
      // No resync; if one comes, its reason and the journal's bounds say why (it failed once in CI, under load).
      expect(again.events.filter((e) => e.event === 'resync').map((e) => e.data), `cursor ${cursor}, the last ids before the kill ${before.slice(-5).join(', ')}`).toEqual([]);
      const replayed = journalIds(again.events);
      expect(ready.data.replayed).toBe(replayed.length);
      again.close();

      // Everything the server ever published, from the store: the client's two halves are exactly it.
      const all = await openStream(`${server.url}/events?since=0`);
      const allReady = await all.next(isReady);
      all.close();
      const everything = journalIds(all.events);
      expect(everything).toEqual(Array.from({ length: allReady.data.id }, (_, i) => i + 1));
      const union = [...before, ...replayed];
      expect(new Set(union).size).toBe(union.length);
      expect(union).toEqual(everything.filter((id) => id > start).slice(0, union.length));
      expect(union[union.length - 1]).toBe(ready.data.id);
      // The events received before the kill were stored before they were sent: the same bytes come back.
      const stored = all.events.filter((e) => before.includes(e.data.id)).map((e) => e.data);
      expect(stored).toEqual(first.events.filter((e) => before.includes(e.data?.id) && e.event !== 'heartbeat' && e.event !== 'ready').map((e) => e.data));
      expect(replayed.length).toBeGreaterThan(5);
    } finally {
      await server?.stop();
      dir.cleanup();
    }
  }, 120_000);

  it('answers a cursor older than the retention, or unknown to the server, with a resync, then goes on live', async () => {
    const { app, url } = await listening(events({ retention: 100 }), false);
    for (let i = 0; i < 400; i++) app.logbook.append('bubble-sort', 'watcher', 'info', `line ${i}`);
    const old = await openStream(`${url}/events?since=3`);
    const resync = await old.next((e) => e.event === 'resync');
    expect(resync.data).toMatchObject({ reason: 'expired', cursor: 3, id: 400 });
    expect(resync.data.oldest).toBeGreaterThan(4);
    expect(resync.data.message).toMatch(/refetch the REST resources/);
    expect((await old.next(isReady)).data).toMatchObject({ id: 400, replayed: 0 });
    app.logbook.append('bubble-sort', 'watcher', 'info', 'after the resync');
    expect((await old.next((e) => e.event === 'log')).data).toMatchObject({ id: 401, entry: { text: 'after the resync' } });
    old.close();

    const ahead = await openStream(`${url}/events`, { headers: { 'last-event-id': '5000' } });
    expect((await ahead.next((e) => e.event === 'resync')).data).toMatchObject({ reason: 'ahead', id: 401 });
    ahead.close();

    // A cursor still kept replays, with no resync.
    const kept = await openStream(`${url}/events?since=${resync.data.oldest}`);
    const ready = await kept.next(isReady);
    expect(kept.events.some((e) => e.event === 'resync')).toBe(false);
    expect(journalIds(kept.events)).toEqual(Array.from({ length: 401 - resync.data.oldest }, (_, i) => resync.data.oldest + 1 + i));
    expect(ready.data.replayed).toBe(401 - resync.data.oldest);
    kept.close();

    const bad = await fetch(`${url}/events`, { headers: { 'last-event-id': 'yesterday' } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'INVALID_CURSOR' });
  });

  it("filters by organism and by type, live and in replay, and refuses what it does not know", async () => {
    const { url } = await listening({ organisms: ['bubble-sort', 'prime-sieve'], ...events() });
    const prime = await openStream(`${url}/organisms/prime-sieve/events`);
    const bubble = await openStream(`${url}/events?organism=bubble-sort`);
    const runs = await openStream(`${url}/events?types=run,state`);
    const everything = await openStream(`${url}/events`);
    await prime.next(() => journalIds(prime.events).length >= 6, { timeoutMs: 30_000 });
    await bubble.next(() => journalIds(bubble.events).length >= 6, { timeoutMs: 30_000 });
    await runs.next(() => journalIds(runs.events).length >= 4, { timeoutMs: 30_000 });
    await everything.next(() => new Set(everything.events.map((e) => e.data.organism).filter(Boolean)).size === 2, { timeoutMs: 30_000 });
    for (const s of [prime, bubble, runs, everything]) s.close();
    expect((await prime.next(isReady)).data).toMatchObject({ organism: 'prime-sieve', types: null });
    expect(prime.events.filter((e) => e.data.organism).every((e) => e.data.organism === 'prime-sieve')).toBe(true);
    expect(bubble.events.filter((e) => e.data.organism).every((e) => e.data.organism === 'bubble-sort')).toBe(true);
    expect(runs.events.filter((e) => e.data.organism).every((e) => e.event === 'run' || e.event === 'state')).toBe(true);
    expect(new Set(everything.events.map((e) => e.data.organism).filter(Boolean))).toEqual(new Set(['bubble-sort', 'prime-sieve']));

    // A replay takes the same filter: one organism's replay is the full replay with the others left out.
    const full = await openStream(`${url}/events?since=0`);
    const head = (await full.next(isReady)).data.id as number;
    full.close();
    const one = await openStream(`${url}/organisms/prime-sieve/events?since=0&types=log`);
    await one.next(isReady);
    one.close();
    const want = full.events.filter((e) => e.data.organism === 'prime-sieve' && e.event === 'log').map((e) => e.data.id);
    expect(journalIds(one.events).filter((id) => id <= head)).toEqual(want);

    const unknown = await fetch(`${url}/events?organism=nope`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: 'ORGANISM_NOT_FOUND' });
    expect((await fetch(`${url}/organisms/prime-sieve/events?organism=bubble-sort`)).status).toBe(400);
    const badType = await fetch(`${url}/events?types=run,meteor`);
    expect(badType.status).toBe(400);
    expect(await badType.json()).toMatchObject({ code: 'INVALID_EVENT_TYPES' });
  }, 60_000);

  it('follows the read rules: the token with OUROBOROS_PROTECT_READS, the allowed hosts, CORS for the dashboard', async () => {
    const { url } = await listening({ token: TOKEN, protectReads: true, ...events() }, false);
    const none = await fetch(`${url}/events`);
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ code: 'UNAUTHORIZED' });
    expect((await fetch(`${url}/organisms/bubble-sort/events`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
    const ok = await openStream(`${url}/events`, { headers: { authorization: `Bearer ${TOKEN}`, origin: 'http://localhost:3000' } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    await ok.next(isReady);
    ok.close();
    const rebound = await new Promise<string>((resolve, reject) => {
      const sock = net.connect(Number(new URL(url).port), '127.0.0.1', () => sock.end(`GET /events HTTP/1.1\r\nHost: evil.example\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`));
      let text = '';
      sock.on('data', (c) => (text += c.toString()));
      sock.on('end', () => resolve(text));
      sock.on('error', reject);
    });
    expect(rebound).toMatch(/^HTTP\/1\.1 403/);
    expect(rebound).toContain('HOST_NOT_ALLOWED');
  });

  it('keeps a quiet stream open past the server\'s 10 s idle timeout with heartbeats', async () => {
    const { url } = await listening(events({ heartbeatMs: 11_000 }), false);
    const s = await openStream(`${url}/events`);
    await s.next(isReady);
    const beat = await s.next((e) => e.event === 'heartbeat', { timeoutMs: 15_000 });
    expect(beat.data.id).toBe(0);
    s.close();
  }, 30_000);

  it('holds at most the bound for a client that stops reading, then drops it; it resumes from its cursor', async () => {
    const bound = 64 * 1024;
    // A client over the bound is dropped when it has not drained within two heartbeats (6 s here).
    const { app, url } = await listening(events({ clientBufferBytes: bound, heartbeatMs: 3000 }), false);
    const hub = app.streams;
    const sock = net.connect(Number(new URL(url).port), '127.0.0.1');
    await new Promise<void>((resolve) => sock.once('connect', () => resolve()));
    sock.write('GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    // The client never reads from here on.
    sock.pause();
    while (hub.stats().live < 1) await new Promise((r) => setTimeout(r, 10));
    // Big log events, published as the log book publishes them, so that tens of megabytes go by quickly.
    const text = 'x'.repeat(4000);
    let maxUnread = 0;
    let published = 0;
    const publish = async (n: number) => {
      for (const end = published + n; published < end; ) {
        for (let i = 0; i < 100; i++, published++) {
          app.journal.publish({ type: 'log', organism: 'bubble-sort', entry: { seq: published, time: new Date().toISOString(), level: 'info', source: 'organism', text } });
        }
        maxUnread = Math.max(maxUnread, hub.stats().unreadBytes);
        // Let the socket take what the kernel will take.
        await new Promise((r) => setImmediate(r));
      }
    };
    // Enough to fill the kernel's buffers, the client's bound and the journal's ring (4 MB).
    await publish(1500);
    expect(hub.stats()).toMatchObject({ lagged: 1, clients: 1 });
    const before = await heldMemory();
    // 20 MB more, published while the client is stuck.
    await publish(5000);
    const after = await heldMemory();
    expect(after - before).toBeLessThan(8 * 1024 * 1024);
    // Unread bytes held for it never passed the bound by more than one event.
    expect(maxUnread).toBeLessThanOrEqual(bound + 2 * 1024);
    await waitFor(() => hub.stats(), (st) => st.dropped === 1 && st.clients === 0, { what: 'the drop', timeoutMs: 20_000 });

    // When it reads again, it finds the stream ended, and resumes from its cursor with every event it missed.
    sock.resume();
    const parser = new SseParser();
    let body = '';
    await new Promise<void>((resolve) => {
      sock.on('data', (c) => (body += c.toString('latin1')));
      sock.on('close', () => resolve());
    });
    parser.push(body.slice(body.indexOf('\r\n\r\n') + 4).replace(/\r\n[0-9a-f]+\r\n/g, ''));
    const cursor = Number(parser.lastEventId);
    expect(cursor).toBeGreaterThan(0);
    expect(cursor).toBeLessThan(published);
    const again = await openStream(`${url}/events?since=${cursor}`);
    const ready = await again.next(isReady, { timeoutMs: 60_000 });
    again.close();
    expect(journalIds(again.events)).toEqual(Array.from({ length: published - cursor }, (_, i) => cursor + 1 + i));
    expect(ready.data.replayed).toBe(published - cursor);
    // Operators see it in /metrics.
    const metrics = await fetch(`${url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/^ouroboros_stream_lagged_total 1$/m);
    expect(metrics).toMatch(/^ouroboros_stream_dropped_total 1$/m);
    expect(metrics).toMatch(/^ouroboros_stream_opened_total 2$/m);
  }, 120_000);

  it('reports the progress of an evolution run, ending with the counters GET /evolution shows', async () => {
    const { url } = await listening(evolveOverrides(evolvingOrganisms, {}, events()));
    const s = await openStream(`${url}/organisms/bubble-sort/events?types=evolution`);
    await s.next(isReady);
    await waitFor(() => fetch(`${url}/status`).then((r) => r.json() as Promise<{ state: string }>), (st) => st.state === 'healthy', { what: 'healthy' });
    const started = await fetch(`${url}/evolve`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ generations: 1, population: 2, sources: ['operators'], seed: 3 }) });
    expect(started.status).toBe(202);
    const last = await s.next((e) => e.event === 'evolution' && e.data.run.state !== 'running', { timeoutMs: 90_000 });
    s.close();
    const progress = s.events.filter((e) => e.event === 'evolution').map((e) => e.data.run);
    expect(progress[0]).toMatchObject({ state: 'running', candidatesTried: 0, generations: 1 });
    // Each event says something new; the counters only grow.
    for (let i = 1; i < progress.length; i++) {
      expect(progress[i]).not.toEqual(progress[i - 1]);
      expect(progress[i].candidatesTried).toBeGreaterThanOrEqual(progress[i - 1].candidatesTried);
    }
    const view = (await fetch(`${url}/evolution`).then((r) => r.json())) as any;
    expect(last.data.run).toMatchObject({
      id: view.run.id,
      state: view.run.state,
      generation: view.run.generation,
      candidatesTried: view.run.candidatesTried,
      accepted: view.run.accepted,
      refused: view.run.refused,
      endReason: view.run.endReason,
    });
  }, 120_000);

  it('lets one address hold only so many streams at once, and gives a slot back when a stream closes', async () => {
    const { url } = await listening(events({ maxStreamsPerClient: 2 }), false);
    const [a, b] = await Promise.all([openStream(`${url}/events`), openStream(`${url}/organisms/bubble-sort/events`)]);
    for (const s of [a, b]) await s.next(isReady);
    const third = await openStream(`${url}/events`);
    expect(third.status).toBe(429);
    expect(third.events[0]!.data).toMatchObject({ code: 'TOO_MANY_STREAMS', message: expect.stringMatching(/holds 2 open event streams \(EVENTS_MAX_STREAMS_PER_CLIENT\)/) });
    // A refused stream and a bad request hold no slot; a closed stream gives its slot back.
    expect((await openStream(`${url}/events?since=-1`)).status).toBe(400);
    a.close();
    await waitFor(() => openStream(`${url}/events`), (s) => s.status === 200, { what: 'a slot given back', timeoutMs: 5000, intervalMs: 100 }).then((s) => s.close());
    b.close();
  });

  it('ends every stream when the server closes, so it stops at once', async () => {
    const { app, url } = await listening(events(), false);
    const streams = await Promise.all([openStream(`${url}/events`), openStream(`${url}/organisms/bubble-sort/events`)]);
    for (const s of streams) await s.next(isReady);
    const t0 = Date.now();
    await app.close();
    await Promise.all(streams.map((s) => s.ended));
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('is listed by GET / and in the OpenAPI document, and leaves the REST routes as they were', async () => {
    const { app } = await listening(events(), false);
    const root = await getJson(app, '/');
    const paths = root.endpoints.map((e: { method: string; path: string }) => `${e.method} ${e.path}`);
    expect(paths).toEqual(expect.arrayContaining(['GET /events', 'GET /organisms/:name/events', 'GET /status', 'GET /logs']));
    const spec = await getJson(app, '/docs/json');
    expect(spec.paths['/events'].get.description).toMatch(/Last-Event-ID/);
    expect(spec.paths['/events'].get.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['organism', 'since', 'types']);
    expect(Object.keys(spec.paths['/events'].get.responses['200'].content)).toEqual(['text/event-stream']);
    expect(spec.paths['/organisms/{name}/events'].get).toBeDefined();
    // The stream is an addition: /logs and /status answer as before.
    app.logbook.append('bubble-sort', 'watcher', 'info', 'hello');
    const logs = await getJson(app, '/logs?limit=1');
    expect(logs.entries[0]).toEqual({ seq: logs.lastSeq, time: expect.any(String), level: 'info', source: 'watcher', text: 'hello' });
    expect(Object.keys(await getJson(app, '/status'))).not.toContain('events');
    expect(JournalEvent.options.length).toBe(10);
  });
});
