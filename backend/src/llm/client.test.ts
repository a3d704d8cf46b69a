import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseRepairAnswer } from './answer.js';
import { createChatClient, LlmError, type ChatMessage } from './client.js';
import { startFakeChatServer, type FakeChatServer, type FakeHandler } from '../../test/helpers/fake-chat-server.js';

const messages: ChatMessage[] = [
  { role: 'system', content: 'You repair programs.' },
  { role: 'user', content: 'Fix it.' },
];

let server: FakeChatServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function serve(handler: FakeHandler): Promise<FakeChatServer> {
  server = await startFakeChatServer(handler);
  return server;
}

async function llmError(p: Promise<unknown>): Promise<LlmError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(LlmError);
    return err as LlmError;
  }
  throw new Error('expected the call to fail');
}

/** A port on loopback that nothing listens on. */
async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('chat client against the fake server', () => {
  it('sends the request and records tokens, model and latency', async () => {
    const srv = await serve(() => ({ content: 'hello', promptTokens: 123, completionTokens: 45, model: 'fake-large-2', delayMs: 30 }));
    const client = createChatClient({ baseUrl: srv.url, apiKey: 'sk-test', model: 'fake-large', timeoutMs: 2000 });
    const out = await client.complete(messages, { maxTokens: 256, temperature: 0 });
    expect(out).toMatchObject({ content: 'hello', model: 'fake-large-2', promptTokens: 123, completionTokens: 45, finishReason: 'stop' });
    expect(out.latencyMs).toBeGreaterThanOrEqual(25);
    expect(out.latencyMs).toBeLessThan(2000);

    expect(srv.requests).toHaveLength(1);
    const req = srv.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/v1/chat/completions');
    expect(req.headers.authorization).toBe('Bearer sk-test');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.body).toEqual({ model: 'fake-large', messages, max_tokens: 256, temperature: 0 });
  });

  it('handles a trailing slash, no key, and missing usage', async () => {
    const srv = await serve(() => ({ content: 'ok', omitUsage: true }));
    const client = createChatClient({ baseUrl: `${srv.url}/`, model: 'm', timeoutMs: 2000 });
    expect(client.endpoint).toBe(`${srv.url}/chat/completions`);
    const out = await client.complete(messages);
    expect(out).toMatchObject({ content: 'ok', promptTokens: null, completionTokens: null });
    expect(srv.requests[0]!.headers.authorization).toBeUndefined();
    expect(srv.requests[0]!.body).toMatchObject({ max_tokens: 4096, temperature: 0.2 });
  });

  it('explains a 401 in words a person can act on', async () => {
    const srv = await serve(() => ({ status: 401, message: 'Incorrect API key provided: sk-wrong.', code: 'invalid_api_key' }));
    const err = await llmError(createChatClient({ baseUrl: srv.url, apiKey: 'sk-wrong', model: 'm', timeoutMs: 2000 }).complete(messages));
    expect(err).toMatchObject({ kind: 'http', status: 401, retryable: false });
    expect(err.message).toMatch(/^LLM endpoint answered 401 Unauthorized: check LLM_API_KEY/);
    expect(err.message).toContain('Incorrect API key provided');
  });

  it('marks 429 as retryable and reads Retry-After', async () => {
    const srv = await serve(() => ({ status: 429, message: 'Rate limit reached', headers: { 'retry-after': '7' } }));
    const err = await llmError(createChatClient({ baseUrl: srv.url, model: 'm', timeoutMs: 2000 }).complete(messages));
    expect(err).toMatchObject({ kind: 'http', status: 429, retryable: true, retryAfterSeconds: 7 });
    expect(err.message).toMatch(/429 Too Many Requests: rate limited/);
  });

  it('marks 500 as retryable', async () => {
    const srv = await serve(() => ({ status: 500, message: 'The server had an error' }));
    const err = await llmError(createChatClient({ baseUrl: srv.url, model: 'm', timeoutMs: 2000 }).complete(messages));
    expect(err).toMatchObject({ kind: 'http', status: 500, retryable: true });
    expect(err.message).toMatch(/500 Internal Server Error: the LLM server failed; retry later \(server said: The server had an error\)/);
  });

  it('points at LLM_BASE_URL on a 404 (wrong path)', async () => {
    const srv = await serve(() => ({ content: 'never' }));
    const err = await llmError(createChatClient({ baseUrl: srv.url.replace(/\/v1$/, '/v2'), model: 'm', timeoutMs: 2000 }).complete(messages));
    expect(err).toMatchObject({ kind: 'http', status: 404 });
    expect(err.message).toMatch(/check LLM_BASE_URL/);
  });

  it('times out when the server is slow to answer', async () => {
    const srv = await serve(() => ({ content: 'late', delayMs: 2000 }));
    const started = Date.now();
    const err = await llmError(createChatClient({ baseUrl: srv.url, model: 'm', timeoutMs: 150 }).complete(messages));
    expect(err).toMatchObject({ kind: 'timeout', status: null, retryable: true });
    expect(err.message).toMatch(/did not answer within 150 ms/);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('times out when the server stalls in the middle of the body', async () => {
    const body = JSON.stringify({ choices: [{ message: { content: 'x'.repeat(100) } }] });
    const srv = await serve(() => ({ raw: body, stallMs: 2000 }));
    const err = await llmError(createChatClient({ baseUrl: srv.url, model: 'm', timeoutMs: 200 }).complete(messages));
    expect(err.kind).toBe('timeout');
  });

  it('rejects with the caller\'s reason when the caller aborts', async () => {
    const srv = await serve(() => ({ content: 'late', delayMs: 2000 }));
    const controller = new AbortController();
    const call = createChatClient({ baseUrl: srv.url, model: 'm', timeoutMs: 5000 }).complete(messages, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('healing cancelled')), 50);
    await expect(call).rejects.toThrow('healing cancelled');
  });

  it('reports garbage that is not JSON as a protocol error', async () => {
    const srv = await serve(() => ({ raw: Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x3c, 0x68]), contentType: 'application/octet-stream' }));
    const err = await llmError(createChatClient({ baseUrl: srv.url, model: 'm', timeoutMs: 2000 }).complete(messages));
    expect(err).toMatchObject({ kind: 'protocol', status: 200 });
    expect(err.message).toMatch(/not JSON.*OpenAI-compatible/);
  });

  it('reports JSON without choices, or with non-text content, as a protocol error', async () => {
    const replies = [{ id: 'x', object: 'chat.completion' }, { choices: [] }, { choices: [{ message: { content: null } }] }];
    let n = 0;
    const srv = await serve(() => ({ json: replies[n++] }));
    const client = createChatClient({ baseUrl: srv.url, model: 'm', timeoutMs: 2000 });
    for (let i = 0; i < replies.length; i++) {
      const err = await llmError(client.complete(messages));
      expect(err.kind).toBe('protocol');
      expect(err.message).toMatch(/not with a chat completion \(choices/);
    }
  });

  it('surfaces an error object sent with status 200', async () => {
    const srv = await serve(() => ({ json: { error: { message: 'model overloaded', type: 'server_error' } } }));
    const err = await llmError(createChatClient({ baseUrl: srv.url, model: 'm', timeoutMs: 2000 }).complete(messages));
    expect(err).toMatchObject({ kind: 'protocol' });
    expect(err.message).toContain('model overloaded');
  });

  it('reports a refused connection as a network error', async () => {
    const port = await deadPort();
    const err = await llmError(createChatClient({ baseUrl: `http://127.0.0.1:${port}/v1`, model: 'm', timeoutMs: 2000 }).complete(messages));
    expect(err).toMatchObject({ kind: 'network', status: null, retryable: true });
    expect(err.message).toMatch(/could not reach LLM endpoint .*ECONNREFUSED.*check LLM_BASE_URL/);
  });

  it('refuses a base URL that is not one', () => {
    expect(() => createChatClient({ baseUrl: 'localhost:8080', model: 'm', timeoutMs: 1 })).toThrow(/http\(s\)|not a URL/);
    expect(() => createChatClient({ baseUrl: 'not a url', model: 'm', timeoutMs: 1 })).toThrow(/not a URL/);
  });

  it('passes an answer that does not compile on to parseRepairAnswer, which refuses it', async () => {
    const srv = await serve(() => ({ content: 'Here is the fix:\n```js\nfunction broken( {\n```\n' }));
    const out = await createChatClient({ baseUrl: srv.url, model: 'm', timeoutMs: 2000 }).complete(messages);
    const parsed = parseRepairAnswer(out.content, "'use strict';\nconsole.log(1);\n");
    expect(parsed.kind).toBe('invalid');
    expect(parsed).toMatchObject({ reason: expect.stringMatching(/does not compile/) });
  });

  it('uses an injected fetch when given one', async () => {
    const calls: string[] = [];
    const fetchImpl: typeof fetch = async (input) => {
      calls.push(String(input));
      return new Response(JSON.stringify({ model: 'x', choices: [{ message: { content: 'hi' }, finish_reason: 'length' }] }), { status: 200 });
    };
    const out = await createChatClient({ baseUrl: 'http://example.invalid/v1', model: 'm', timeoutMs: 1000, fetchImpl }).complete(messages);
    expect(out).toMatchObject({ content: 'hi', finishReason: 'length' });
    expect(calls).toEqual(['http://example.invalid/v1/chat/completions']);
  });
});
