import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What the receiver does with the nth request (1-based): answer 200, answer 500, or never answer. */
export type Behaviour = 'ok' | 'fail' | 'hang';

export interface Received {
  n: number;
  headers: IncomingHttpHeaders;
  body: string;
  answered: Behaviour;
  /** When it arrived (ms). */
  at: number;
}

export interface WebhookReceiver {
  url: string;
  received: Received[];
  /** Changes what the next requests get. */
  behave(b: (n: number) => Behaviour): void;
  close(): Promise<void>;
}

/** A real webhook receiver on 127.0.0.1 (a free port) that records every request. */
export async function startWebhookReceiver(behaviour: (n: number) => Behaviour = () => 'ok', path = '/hooks/T000/B000/secret-part'): Promise<WebhookReceiver> {
  let behave = behaviour;
  const received: Received[] = [];
  const sockets = new Set<Socket>();
  const hanging = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const n = received.length + 1;
      const answered = behave(n);
      received.push({ n, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), answered, at: Date.now() });
      if (answered === 'hang') return void hanging.add(res);
      res.writeHead(answered === 'ok' ? 200 : 500, { 'content-type': 'text/plain' }).end(answered === 'ok' ? 'ok' : 'receiver failed');
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    received,
    behave: (b) => {
      behave = b;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
