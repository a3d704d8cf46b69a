/** What operators read besides the organisms: the alerts sent to webhooks (GET /alerts) and the audit trail (GET /audit). */
import { z } from 'zod';
import { count, isoTime } from './wire.ts';

export const ALERT_EVENTS = ['crash-loop', 'quarantined', 'heal-failed', 'healed', 'demoted', 'storage-degraded', 'evolution-promoted'] as const;
export type AlertEvent = (typeof ALERT_EVENTS)[number];
export const ALERT_DELIVERY_STATES = ['pending', 'delivered', 'failed'] as const;

export const AlertDeliverySchema = z.object({
  host: z.string().describe('the webhook host only: its URL may hold a secret'),
  state: z.enum(ALERT_DELIVERY_STATES),
  attempts: count,
  lastStatus: z.number().int().nullable().describe('the HTTP status of the last attempt; null when it got no answer'),
  lastError: z.string().nullable(),
  updatedAt: isoTime,
  nextAttemptAt: isoTime.nullable().describe('when a pending delivery is tried again'),
});

export const AlertSchema = z.object({
  id: z.number().int(),
  at: isoTime,
  organism: z.string().nullable().describe('null for what concerns the whole server (storage)'),
  event: z.enum(ALERT_EVENTS),
  summary: z.string(),
  reminder: z.boolean().describe('the condition still lasts: told again after ALERT_REMINDER_MINUTES'),
  deliveries: z.array(AlertDeliverySchema),
});
export type Alert = z.infer<typeof AlertSchema>;

export const AlertsResponseSchema = z.object({
  enabled: z.boolean().describe('ALERT_WEBHOOK_URLS is set'),
  signed: z.boolean().describe('ALERT_WEBHOOK_SECRET is set: bodies carry X-Ouroboros-Signature-256'),
  webhooks: z.array(z.string()).describe('the host of each webhook'),
  pending: count.describe('deliveries still to be made'),
  failed: count.describe('deliveries that gave up, among those kept'),
  alerts: z.array(AlertSchema).describe('newest first'),
});
export type AlertsResponse = z.infer<typeof AlertsResponseSchema>;

export const AuditEntrySchema = z.object({
  id: z.number().int(),
  at: isoTime,
  action: z.string().describe('chaos, rollback, heal, evolve, emergency-stop, resume... or promoted (automatic)'),
  method: z.string().nullable().describe('null for what the watcher did by itself'),
  path: z.string().nullable(),
  organism: z.string().nullable(),
  genomeBefore: z.string().nullable(),
  genomeAfter: z.string().nullable(),
  status: z.number().int().nullable().describe("the answer's HTTP status; null for an automatic promotion"),
  client: z.string().nullable().describe('the client address (X-Forwarded-For with TRUST_PROXY)'),
  tokenFingerprint: z.string().nullable().describe('the first 12 hex digits of the sha256 of the bearer token sent; never the token'),
  detail: z.record(z.string(), z.unknown()),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

export const AuditResponseSchema = z.object({
  entries: z.array(AuditEntrySchema).describe('newest first'),
  next: z.number().int().nullable().describe('pass as ?before= for the next (older) page; null at the end'),
});
export type AuditResponse = z.infer<typeof AuditResponseSchema>;
