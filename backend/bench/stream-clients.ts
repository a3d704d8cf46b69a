/**
 * Raw SSE clients of one organism's event stream, in their own process (forked by the events benchmark): a thousand
 * streams parsed on the benchmark's own event loop, beside its polling dashboards, measured that loop's queue as
 * much as the server's. The dashboards a user opens are each in their own browser.
 *
 * Messages: the parent sends { url, count }; this answers { ready: true } when every stream is live, then on
 * { stop: true } answers { latencies } (each event's receipt minus its `at`, in ms) and exits.
 */
import http, { type ClientRequest } from 'node:http';

interface Open {
  url: string;
  count: number;
}

function open(o: Open): Promise<{ latencies: number[]; close(): void }> {
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const latencies: number[] = [];
  const requests: ClientRequest[] = [];
  let ready = 0;
  return new Promise((resolve, reject) => {
    for (let i = 0; i < o.count; i++) {
      const req = http.get(o.url, { agent }, (res) => {
        if (res.statusCode !== 200) return reject(new Error(`GET ${o.url} -> ${res.statusCode}`));
        res.setEncoding('utf8');
        let counted = false;
        // Only what is measured is parsed: the `at` of each data line, the ready event once.
        res.on('data', (chunk: string) => {
          const now = Date.now();
          for (let at = chunk.indexOf('"at":"'); at >= 0; at = chunk.indexOf('"at":"', at + 6)) {
            latencies.push(now - Date.parse(chunk.slice(at + 6, chunk.indexOf('"', at + 6))));
          }
          if (!counted && chunk.includes('event: ready')) {
            counted = true;
            if (++ready === o.count) {
              // The ready events carry no `at`; whatever came before them is a catch-up, none here.
              latencies.length = 0;
              resolve({
                latencies,
                close() {
                  for (const r of requests) r.destroy();
                  agent.destroy();
                },
              });
            }
          }
        });
      });
      req.on('error', reject);
      requests.push(req);
    }
  });
}

let streams: Awaited<ReturnType<typeof open>> | null = null;
process.on('message', (m: Partial<Open> & { stop?: boolean }) => {
  if (m.stop) {
    streams?.close();
    process.send!({ latencies: streams?.latencies ?? [] }, () => process.exit(0));
    return;
  }
  open(m as Open).then(
    (s) => {
      streams = s;
      process.send!({ ready: true });
    },
    (err: Error) => process.send!({ error: err.message }, () => process.exit(1)),
  );
});
// The parent gone, nothing is left to report to.
process.on('disconnect', () => process.exit(0));
