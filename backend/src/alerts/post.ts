/** One delivery attempt: POST the body to a webhook, signed, within a time limit. Never throws. */
import { SIGNATURE_HEADER, signature } from './payload.js';

export type Attempt = { ok: true; status: number } | { ok: false; status: number | null; error: string };

export interface PostOptions {
  secret: string | null;
  timeoutMs: number;
  /** Aborts the attempt when the server stops. */
  stop: AbortSignal;
  deliveryId: number;
  event: string;
}

export async function postAlert(url: string, body: string, o: PostOptions): Promise<Attempt> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'ouroboros-alerts',
    'x-ouroboros-event': o.event,
    'x-ouroboros-delivery': String(o.deliveryId),
  };
  if (o.secret) headers[SIGNATURE_HEADER] = signature(o.secret, body);
  const timeout = AbortSignal.timeout(o.timeoutMs);
  try {
    // A redirect is not followed: it would carry the body and its signature somewhere nobody configured.
    const res = await fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.any([timeout, o.stop]) });
    await res.body?.cancel().catch(() => {});
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
    return { ok: false, status: res.status, error: `answered HTTP ${res.status}` };
  } catch (err) {
    if (timeout.aborted) return { ok: false, status: null, error: `no answer within ${o.timeoutMs} ms (ALERT_TIMEOUT_MS)` };
    if (o.stop.aborted) return { ok: false, status: null, error: 'the server stopped during the attempt' };
    return { ok: false, status: null, error: describeNetworkError(err) };
  }
}

/** fetch's "fetch failed" says nothing; its cause (ECONNREFUSED 127.0.0.1:9) does, and names no path. */
function describeNetworkError(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const text = cause?.code ?? cause?.message ?? (err as Error).message ?? String(err);
  return `could not be reached: ${text}`.slice(0, 300);
}
