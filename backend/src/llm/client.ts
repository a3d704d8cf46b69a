/**
 * A small client for OpenAI-compatible chat-completions endpoints (OpenAI, vLLM, llama.cpp
 * server, Ollama's /v1, LiteLLM, ...). One request per call, no retries: the caller (the healer, evolution) decides.
 */
import { STATUS_CODES } from 'node:http';
import { z } from 'zod';

export type ChatRole = 'system' | 'user' | 'assistant';

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

export interface ChatClientOptions {
  /** Base URL up to and including the API version, e.g. http://127.0.0.1:8080/v1 (a trailing slash is fine). */
  baseUrl: string;
  /** Sent as "Authorization: Bearer <key>" when set and not empty. */
  apiKey?: string;
  model: string;
  /** Whole-request deadline: connecting, waiting for the answer and reading it. */
  timeoutMs: number;
  /** Defaults to the global fetch. */
  fetchImpl?: typeof fetch;
}

export interface CompleteOptions {
  /** Default 4096. */
  maxTokens?: number;
  /** Default 0.2. */
  temperature?: number;
  /** Cancels the request; the promise then rejects with the signal's reason (not an LlmError). */
  signal?: AbortSignal;
  /** Whose bill the call goes on (a metered client records it; see metered-client.ts). */
  meter?: { organism: string; ref?: string | null };
}

export interface ChatCompletion {
  content: string;
  /** The model the server says answered (falls back to the requested one). */
  model: string;
  promptTokens: number | null;
  completionTokens: number | null;
  /** From sending the request to having read the whole answer, in milliseconds. */
  latencyMs: number;
  /** e.g. "stop", or "length" when the answer was cut off by maxTokens. */
  finishReason: string | null;
  /** What the call cost, when a metered client knows its prices (USD). */
  costUsd?: number | null;
}

export interface ChatClient {
  readonly model: string;
  /** The full URL requests go to. */
  readonly endpoint: string;
  complete(messages: readonly ChatMessage[], opts?: CompleteOptions): Promise<ChatCompletion>;
  /** Why a call would be refused now without being sent (a metered client's spent daily budget), or null. */
  refusal?(): string | null;
}

export type LlmErrorKind = 'http' | 'timeout' | 'protocol' | 'network' | 'budget';

export class LlmError extends Error {
  override readonly name = 'LlmError';
  readonly kind: LlmErrorKind;
  /** HTTP status when the server answered, else null. */
  readonly status: number | null;
  /** Whether trying again later may help (timeouts, network trouble, 408/409/429/5xx). */
  readonly retryable: boolean;
  /** Seconds from a Retry-After header, when the server sent one. */
  readonly retryAfterSeconds: number | null;

  constructor(
    kind: LlmErrorKind,
    message: string,
    opts: { status?: number | null; retryable?: boolean; retryAfterSeconds?: number | null; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.kind = kind;
    this.status = opts.status ?? null;
    this.retryable = opts.retryable ?? false;
    this.retryAfterSeconds = opts.retryAfterSeconds ?? null;
  }
}

const usageSchema = z
  .object({
    prompt_tokens: z.number().int().nonnegative().nullish(),
    completion_tokens: z.number().int().nonnegative().nullish(),
  })
  .nullish();

const completionSchema = z.object({
  model: z.string().nullish(),
  choices: z
    .array(
      z.object({
        message: z.object({ content: z.string() }),
        finish_reason: z.string().nullish(),
      }),
    )
    .min(1),
  usage: usageSchema,
});

const errorBodySchema = z.object({
  error: z.union([z.object({ message: z.string().optional() }), z.string()]),
});

function oneLine(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The provider's own explanation from an OpenAI-style error body, if there is one. */
function providerMessage(bodyText: string): string | null {
  try {
    const parsed = errorBodySchema.safeParse(JSON.parse(bodyText));
    if (!parsed.success) return null;
    const e = parsed.data.error;
    return typeof e === 'string' ? e : (e.message ?? null);
  } catch {
    return null;
  }
}

function statusHint(status: number, model: string, endpoint: string): string {
  switch (status) {
    case 400:
      return `the server refused the request; check LLM_MODEL ("${model}") and the prompt size`;
    case 401:
      return 'check LLM_API_KEY';
    case 403:
      return `the key is not allowed to do this; check LLM_API_KEY and that it may use model "${model}"`;
    case 404:
      return `check LLM_BASE_URL (requests go to ${endpoint}; it should end in /v1) and LLM_MODEL ("${model}")`;
    case 408:
      return 'the server timed out; retry later';
    case 413:
      return 'the prompt is too large for this endpoint';
    case 429:
      return 'rate limited or out of quota; retry later or check the account';
    default:
      return status >= 500 ? 'the LLM server failed; retry later' : 'unexpected answer from the LLM server';
  }
}

function retryAfter(header: string | null): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, Math.round((date - Date.now()) / 1000));
}

/** The innermost useful description of a fetch failure (undici wraps ECONNREFUSED etc. in `cause`). */
function networkReason(err: unknown): string {
  const parts: string[] = [];
  let cur: unknown = err;
  for (let depth = 0; cur && depth < 4; depth++) {
    if (cur instanceof Error) {
      const code = (cur as { code?: unknown }).code;
      parts.push(typeof code === 'string' ? `${code}: ${cur.message}` : cur.message);
      cur = cur.cause;
    } else {
      parts.push(String(cur));
      break;
    }
  }
  return oneLine(parts[parts.length - 1] ?? 'unknown error', 200);
}

export function createChatClient(options: ChatClientOptions): ChatClient {
  const { model, timeoutMs, apiKey } = options;
  let base: URL;
  try {
    base = new URL(options.baseUrl);
  } catch {
    throw new TypeError(`LLM base URL ${JSON.stringify(options.baseUrl)} is not a URL; set LLM_BASE_URL like http://127.0.0.1:8080/v1`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new TypeError(`LLM base URL must be http(s), got ${base.protocol}`);
  }
  const endpoint = `${options.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  const fetchImpl = options.fetchImpl ?? globalThis.fetch;

  async function complete(messages: readonly ChatMessage[], opts: CompleteOptions = {}): Promise<ChatCompletion> {
    opts.signal?.throwIfAborted();
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error('timeout'));
    }, timeoutMs);
    const onCallerAbort = (): void => controller.abort(opts.signal?.reason);
    opts.signal?.addEventListener('abort', onCallerAbort, { once: true });

    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (apiKey) headers.authorization = `Bearer ${apiKey}`;
    const body = JSON.stringify({
      model,
      messages: messages.map(({ role, content }) => ({ role, content })),
      max_tokens: opts.maxTokens ?? 4096,
      temperature: opts.temperature ?? 0.2,
    });

    const started = performance.now();
    const fail = (err: unknown, stage: 'connect' | 'read'): never => {
      if (timedOut) {
        throw new LlmError('timeout', `LLM endpoint ${endpoint} did not answer within ${timeoutMs} ms; raise the timeout or check the server`, {
          retryable: true,
          cause: err,
        });
      }
      if (opts.signal?.aborted) throw opts.signal.reason;
      if (err instanceof LlmError) throw err;
      const what = stage === 'connect' ? 'could not reach' : 'lost the connection to';
      throw new LlmError('network', `${what} LLM endpoint ${endpoint} (${networkReason(err)}); check LLM_BASE_URL and that the server is running`, {
        retryable: true,
        cause: err,
      });
    };

    try {
      let response: Response;
      try {
        response = await fetchImpl(endpoint, { method: 'POST', headers, body, signal: controller.signal });
      } catch (err) {
        return fail(err, 'connect');
      }
      let text: string;
      try {
        text = await response.text();
      } catch (err) {
        return fail(err, 'read');
      }
      const latencyMs = Math.round(performance.now() - started);

      if (!response.ok) {
        const status = response.status;
        const reason = response.statusText || STATUS_CODES[status] || 'Error';
        const said = providerMessage(text);
        throw new LlmError(
          'http',
          `LLM endpoint answered ${status} ${reason}: ${statusHint(status, model, endpoint)}${said ? ` (server said: ${oneLine(said)})` : ''}`,
          {
            status,
            retryable: status === 408 || status === 409 || status === 429 || status >= 500,
            retryAfterSeconds: retryAfter(response.headers.get('retry-after')),
          },
        );
      }

      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new LlmError(
          'protocol',
          `LLM endpoint answered ${response.status} with something that is not JSON (${oneLine(text, 80) || 'empty body'}); check that LLM_BASE_URL points at an OpenAI-compatible API`,
          { status: response.status },
        );
      }
      const parsed = completionSchema.safeParse(json);
      if (!parsed.success) {
        const said = providerMessage(text);
        const issue = parsed.error.issues[0];
        const where = issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'unexpected shape';
        throw new LlmError(
          'protocol',
          said
            ? `LLM endpoint answered ${response.status} with an error: ${oneLine(said)}`
            : `LLM endpoint answered ${response.status} but not with a chat completion (${where}); check that it speaks the OpenAI chat-completions API`,
          { status: response.status },
        );
      }
      const data = parsed.data;
      const choice = data.choices[0] as (typeof data.choices)[number];
      return {
        content: choice.message.content,
        model: data.model ?? model,
        promptTokens: data.usage?.prompt_tokens ?? null,
        completionTokens: data.usage?.completion_tokens ?? null,
        latencyMs,
        finishReason: choice.finish_reason ?? null,
      };
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onCallerAbort);
    }
  }

  return { model, endpoint, complete };
}
