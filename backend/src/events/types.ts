/**
 * The events of GET /events: what each one carries, as zod schemas (the contract of the stream, and the
 * documentation the dashboard reads). Pure: no I/O.
 *
 * Journal events are stored and replayed under their cursor id; control events (ready, heartbeat, resync) are
 * about the connection itself and never stored.
 */
import { z } from 'zod';
import { PROPOSAL_KINDS, PROPOSAL_STATUSES, CauseSchema as Cause, IncidentSchema as Incident, LogEntrySchema as LogEntry, RunSchema as Run, STATES, VerdictSchema as Verdict } from '@ouroboros/contract';

const State = z.enum(STATES);

/** What every journal event has: the cursor id, the organism it is about, when it was published. */
const common = {
  id: z.number().int().positive().describe('the cursor: increasing, never reused, also across restarts'),
  organism: z.string(),
  at: z.string().describe('ISO time the server published it'),
};

export const RunEvent = z.object({
  ...common,
  type: z.literal('run'),
  // Loose: the run carries whatever the API's run carries (GET /runs), including fields added later.
  run: Run.loose().describe('the run as GET /runs lists it: id (the run number), verdict, durationMs, generation...'),
});

export const StateEvent = z.object({ ...common, type: z.literal('state'), from: State, to: State });

export const PromotedEvent = z.object({
  ...common,
  type: z.literal('promoted'),
  genomeId: z.string(),
  generation: z.number().int(),
  cause: Cause,
  summary: z.string(),
});

export const ChaosEvent = z.object({
  ...common,
  type: z.literal('chaos'),
  chaosType: z.string(),
  line: z.number().int(),
  description: z.string(),
  genomeId: z.string(),
  generation: z.number().int(),
});

export const DetectedEvent = z.object({
  ...common,
  type: z.literal('detected'),
  cause: Cause.describe('what made the genome that failed'),
  verdict: Verdict,
  detectMs: z.number().describe('from the genome becoming live to the end of its first failing run'),
});

export const HealEvent = z.object({
  ...common,
  type: z.literal('heal'),
  outcome: z.enum(['healed', 'failed']),
  strategy: z.string().nullable().describe('the rung that healed (null when failed)'),
  healMs: z.number().nullable().describe('time the ladder took (null when failed)'),
  reason: z.string().nullable().describe('why the ladder gave up (null when healed)'),
});

export const IncidentEvent = z.object({
  ...common,
  type: z.literal('incident'),
  phase: z.enum(['opened', 'closed']),
  incident: Incident.describe('as /status lastIncident; timeToHealMs is set when closed'),
});

export const LogEvent = z.object({ ...common, type: z.literal('log'), entry: LogEntry.describe('as GET /logs lists it') });

export const EvolutionSummary = z.object({
  id: z.string(),
  state: z.enum(['running', 'finished', 'cancelled', 'failed']),
  generation: z.number().int().describe('generations completed'),
  generations: z.number().int().describe('generations asked for'),
  candidatesTried: z.number().int(),
  accepted: z.number().int(),
  refused: z.number().int(),
  bestGenomeId: z.string().nullable(),
  bestTimeMs: z.number().nullable(),
  endReason: z.string().nullable(),
  lastCandidate: z
    .object({ n: z.number().int(), source: z.string(), summary: z.string(), outcome: z.string(), stage: z.string(), reason: z.string() })
    .nullable(),
});

export const EvolutionEvent = z.object({
  ...common,
  type: z.literal('evolution'),
  run: EvolutionSummary.describe('the counters of the run; GET /organisms/<name>/evolution has the whole of it'),
});

export const ProposalEvent = z.object({
  ...common,
  type: z.literal('proposal'),
  phase: z.enum(['proposed', 'decided']).describe('proposed: it waits for approval; decided: approved, rejected or superseded'),
  proposal: z
    .object({
      id: z.number().int(),
      kind: z.enum(PROPOSAL_KINDS),
      status: z.enum(PROPOSAL_STATUSES),
      strategy: z.string(),
      summary: z.string(),
      baseGenomeId: z.string(),
      decidedBy: z.object({ address: z.string(), tokenFingerprint: z.string().nullable() }).nullable(),
      reason: z.string().nullable(),
      genomeId: z.string().nullable().describe('the genome an approval promoted'),
    })
    .describe('GET /proposals/<id> has the whole of it, the diff and the verification too'),
});

export const JournalEvent = z.discriminatedUnion('type', [
  RunEvent,
  StateEvent,
  PromotedEvent,
  ChaosEvent,
  DetectedEvent,
  HealEvent,
  IncidentEvent,
  LogEvent,
  EvolutionEvent,
  ProposalEvent,
]);
export type JournalEvent = z.infer<typeof JournalEvent>;
export type JournalEventType = JournalEvent['type'];
export const JOURNAL_EVENT_TYPES = JournalEvent.options.map((o) => o.shape.type.value) as readonly JournalEventType[];

/** An event as its producer hands it to the journal, which adds the id and the time. */
export type EventBody = JournalEvent extends infer E ? (E extends JournalEvent ? Omit<E, 'id' | 'at'> : never) : never;

// ---- control events: about the connection, never stored -----------------------------------------------------

export const ReadyEvent = z.object({
  type: z.literal('ready'),
  id: z.number().int().nonnegative().describe('the cursor now: every event up to it was sent (or is covered by a resync)'),
  replayed: z.number().int().describe('events sent from the journal before going live'),
  organism: z.string().nullable(),
  types: z.array(z.string()).nullable(),
  heartbeatMs: z.number().int().describe('a heartbeat comes at least this often: silence for twice as long means the stream is dead'),
});

export const HeartbeatEvent = z.object({
  type: z.literal('heartbeat'),
  id: z.number().int().nonnegative().describe('the cursor now, so a filtered stream moves on too'),
  at: z.string(),
});

export const RESYNC_REASONS = ['expired', 'ahead', 'lost'] as const;
export type ResyncReason = (typeof RESYNC_REASONS)[number];

export const ResyncEvent = z.object({
  type: z.literal('resync'),
  id: z.number().int().nonnegative().describe('the cursor to continue from: the stream goes on live after it'),
  reason: z.enum(RESYNC_REASONS),
  cursor: z.number().int().describe('the cursor the client asked to resume from'),
  oldest: z.number().int().describe('the oldest event the server still has'),
  message: z.string(),
});

export const ControlEvent = z.discriminatedUnion('type', [ReadyEvent, HeartbeatEvent, ResyncEvent]);
export type ControlEvent = z.infer<typeof ControlEvent>;

/** Anything the stream sends. */
export const WireEvent = z.union([JournalEvent, ControlEvent]);
export type WireEvent = z.infer<typeof WireEvent>;
