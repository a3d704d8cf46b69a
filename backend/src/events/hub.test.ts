import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir, waitFor } from '../../test/helpers/fixtures.js';
import { GenomeStore } from '../genome/store.js';
import { StreamHub } from './hub.js';
import { EventJournal } from './journal.js';
import type { EventBody } from './types.js';

let tmp: ReturnType<typeof tempDir>;
let store: GenomeStore;
let journal: EventJournal;
let hub: StreamHub;
let server: http.Server;
let base: string;
/** Each stream's response writes, counted where the hub makes them. */
const writes: number[] = [];

beforeEach(async () => {
  tmp = tempDir();
  store = new GenomeStore(path.join(tmp.dir, 's.db'));
  journal = new EventJournal(store, { retention: 10_000 });
  hub = new StreamHub(journal, { heartbeatMs: 60_000, clientBufferBytes: 1 << 20 });
  writes.length = 0;
  server = http.createServer((req, res) => {
    const i = writes.push(0) - 1;
    const write = res.write.bind(res) as (chunk: unknown) => boolean;
    res.write = ((chunk: unknown) => {
      writes[i]!++;
      return write(chunk);
    }) as typeof res.write;
    hub.open(res, {}, { organism: null, types: null }, null);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  hub.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  store.close();
  tmp.cleanup();
});

const log = (text: string): EventBody => ({ type: 'log', organism: 'o', entry: { seq: 1, time: new Date().toISOString(), level: 'info', source: 'watcher', text } });

/** A raw stream client: the ids of the events it got, in order. */
function connect(): { ids: number[]; ready: Promise<void>; close(): void } {
  const ids: number[] = [];
  let buffer = '';
  let onReady: () => void;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  const req = http.get(`${base}/`, (res) => {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffer += chunk;
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (/^event: ready$/m.test(frame)) onReady();
        const id = /^id: (\d+)$/m.exec(frame)?.[1];
        if (id && !/^event: (ready|heartbeat)$/m.test(frame)) ids.push(Number(id));
      }
    });
  });
  req.on('error', () => {});
  return { ids, ready, close: () => req.destroy() };
}

describe('StreamHub', () => {
  it('sends a burst published in one tick to each client in one write, every event once and in order', async () => {
    const clients = [connect(), connect(), connect()];
    await Promise.all(clients.map((c) => c.ready));
    const before = [...writes];
    for (let i = 0; i < 20; i++) journal.publish(log(`line ${i}`));
    const expected = Array.from({ length: 20 }, (_, i) => i + 1);
    await waitFor(() => clients.map((c) => c.ids.length), (n) => n.every((x) => x === 20), { what: 'the burst at every client', timeoutMs: 10_000 });
    for (const c of clients) expect(c.ids).toEqual(expected);
    // One write per client for the whole burst (a write per event is 20 system calls per client).
    expect(writes.map((n, i) => n - (before[i] ?? 0))).toEqual([1, 1, 1]);
    // Events of later ticks are not held back for a batch: each goes out in its own write.
    journal.publish(log('later'));
    await waitFor(() => clients.map((c) => c.ids.length), (n) => n.every((x) => x === 21), { what: 'the next event', timeoutMs: 10_000 });
    for (const c of clients) c.close();
  });
});
