/**
 * A real, local HTTP server speaking the OpenAI chat-completions protocol, for tests.
 *
 * Listens on 127.0.0.1 on a free port. Each POST /v1/chat/completions is recorded and answered by
 * the test's handler: with content, an error status with an OpenAI-style error body, arbitrary
 * JSON, or raw bytes, optionally after a delay (to provoke timeouts).
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body (undefined when it did not parse). */
  body: any;
}

interface Delayed {
  /** Wait this long before sending anything. */
  delayMs?: number;
}

export type FakeReply =
  | (Delayed & {
      /** A normal completion with this assistant text. */
      content: string;
      model?: string;
      promptTokens?: number;
      completionTokens?: number;
      finishReason?: string;
      /** Leave `usage` out of the answer, as some servers do. */
      omitUsage?: boolean;
    })
  | (Delayed & {
      /** An HTTP error with an OpenAI-style body { error: { message, type, code } }. */
      status: number;
      message?: string;
      type?: string;
      code?: string | null;
      headers?: Record<string, string>;
    })
  | (Delayed & {
      /** Any JSON body, e.g. one without `choices`. */
      json: unknown;
      status?: number;
    })
  | (Delayed & {
      /** Raw bytes, e.g. garbage or HTML from a proxy. */
      raw: string | Uint8Array;
      status?: number;
      contentType?: string;
      /** Send the headers and the first half of the body, then stall this long before the rest. */
      stallMs?: number;
    });

export type FakeHandler = (req: FakeRequest) => FakeReply | Promise<FakeReply>;

export interface FakeChatServer {
  /** Base URL like http://127.0.0.1:PORT/v1 */
  url: string;
  /** Every request received, in order. */
  requests: FakeRequest[];
  close(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function openAiError(message: string, type: string, code: string | null = null): unknown {
  return { error: { message, type, param: null, code } };
}

export async function startFakeChatServer(handler: FakeHandler): Promise<FakeChatServer> {
  const requests: FakeRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let counter = 0;

  const wait = (ms: number, res: ServerResponse): Promise<boolean> =>
    new Promise((resolve) => {
      if (ms <= 0) return resolve(true);
      const t = setTimeout(() => {
        timers.delete(t);
        res.off('close', onClose);
        resolve(!res.destroyed);
      }, ms);
      const onClose = (): void => {
        clearTimeout(t);
        timers.delete(t);
        resolve(false);
      };
      timers.add(t);
      res.once('close', onClose);
    });

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: any;
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
        const request: FakeRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
        requests.push(request);

        if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
          return sendJson(res, 404, openAiError(`Unknown request URL: ${req.method} ${req.url}`, 'invalid_request_error', 'unknown_url'));
        }
        if (body === undefined) {
          return sendJson(res, 400, openAiError('We could not parse the JSON body of your request.', 'invalid_request_error'));
        }

        let reply: FakeReply;
        try {
          reply = await handler(request);
        } catch (err) {
          return sendJson(res, 500, openAiError(`fake handler failed: ${String(err)}`, 'server_error'));
        }
        if (!(await wait(reply.delayMs ?? 0, res))) return;

        if ('content' in reply) {
          const promptTokens = reply.promptTokens ?? 10;
          const completionTokens = reply.completionTokens ?? 20;
          return sendJson(res, 200, {
            id: `chatcmpl-fake-${++counter}`,
            object: 'chat.completion',
            created: Math.floor(Date.now() / 1000),
            model: reply.model ?? (typeof body.model === 'string' ? body.model : 'fake-model'),
            choices: [{ index: 0, message: { role: 'assistant', content: reply.content }, finish_reason: reply.finishReason ?? 'stop' }],
            ...(reply.omitUsage
              ? {}
              : { usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens } }),
          });
        }
        if ('json' in reply) return sendJson(res, reply.status ?? 200, reply.json);
        if ('raw' in reply) {
          const bytes = typeof reply.raw === 'string' ? Buffer.from(reply.raw, 'utf8') : Buffer.from(reply.raw);
          res.writeHead(reply.status ?? 200, { 'content-type': reply.contentType ?? 'application/json', 'content-length': bytes.length });
          if (reply.stallMs) {
            const half = Math.floor(bytes.length / 2);
            res.write(bytes.subarray(0, half));
            if (!(await wait(reply.stallMs, res))) return;
            return void res.end(bytes.subarray(half));
          }
          return void res.end(bytes);
        }
        const type = reply.status === 401 ? 'invalid_request_error' : reply.status === 429 ? 'rate_limit_exceeded' : reply.status >= 500 ? 'server_error' : 'invalid_request_error';
        return sendJson(res, reply.status, openAiError(reply.message ?? `fake error ${reply.status}`, reply.type ?? type, reply.code ?? null), reply.headers);
      })().catch((err: unknown) => {
        if (!res.headersSent) sendJson(res, 500, openAiError(String(err), 'server_error'));
        else res.destroy();
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
