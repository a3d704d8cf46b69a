/** The body a webhook receives and its signature. Pure apart from hashing. */
import { createHmac } from 'node:crypto';
import type { AlertEvent } from '@ouroboros/contract';

export const SIGNATURE_HEADER = 'x-ouroboros-signature-256';

export interface AlertBody {
  id: number;
  event: AlertEvent;
  organism: string | null;
  time: string;
  /** The organism's live generation when the alert was raised (null for the whole server). */
  generation: number | null;
  summary: string;
  reminder: boolean;
  /** The dashboard, opened on the organism (DASHBOARD_URL); null when it is not configured. */
  dashboard: string | null;
  /** The same in one line, so a Slack (or Mattermost, Discord /slack) incoming webhook shows it as it is. */
  text: string;
}

export type AlertFacts = Omit<AlertBody, 'id' | 'dashboard' | 'text'>;

export function alertBody(id: number, f: AlertFacts, dashboardUrl: string | null): AlertBody {
  const dashboard = dashboardUrl ? dashboardLink(dashboardUrl, f.organism) : null;
  const text = `${f.reminder ? '[ouroboros, still] ' : '[ouroboros] '}${f.summary}${dashboard ? ` <${dashboard}|open the dashboard>` : ''}`;
  return { id, event: f.event, organism: f.organism, time: f.time, generation: f.generation, summary: f.summary, reminder: f.reminder, dashboard, text };
}

function dashboardLink(base: string, organism: string | null): string {
  const url = new URL(base);
  if (organism) url.searchParams.set('organism', organism);
  return url.toString();
}

/** `sha256=<hex>` of HMAC-SHA256(secret, raw body): what GitHub sends as X-Hub-Signature-256. */
export function signature(secret: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody, 'utf8').digest('hex')}`;
}

/** A webhook as it may be shown: its host only (a Slack URL's path is its secret). */
export function webhookHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'an invalid URL';
  }
}
