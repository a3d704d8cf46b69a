/**
 * Where the stream's events come from: each supervisor's events, the log book and the evolution runs, turned
 * into journal events. Subscribes only; nothing here changes what the producers do.
 */
import type { EvolutionProgress } from '../evolution/progress.js';
import type { LogBook } from '../watcher/logbook.js';
import type { SupervisorEventMap, SupervisorEvents } from '../watcher/events.js';
import type { EventJournal } from './journal.js';
import type { EventBody, JournalEvent } from './types.js';

export interface EventSources {
  supervisors: readonly { readonly events: SupervisorEvents }[];
  logbook: LogBook;
  evolution?: { onProgress(listener: (p: EvolutionProgress) => void): () => void };
  /** A failure to publish is reported here and never reaches the producer (a run, a log line must not fail for it). */
  onError?: (err: unknown) => void;
}

type Listeners = { [K in keyof SupervisorEventMap]: (...args: SupervisorEventMap[K]) => EventBody };

/** Each supervisor event as the stream sends it. */
const FROM_SUPERVISOR: Listeners = {
  // As GET /runs lists it: without the organism (the event has it) and the trial flag (routine runs only).
  run: (e) => {
    const { organism: _organism, trial: _trial, ...run } = e.run;
    return { type: 'run', organism: e.organism, run };
  },
  state: (e) => ({ type: 'state', organism: e.organism, from: e.from, to: e.to }),
  promoted: (e) => ({ type: 'promoted', organism: e.organism, genomeId: e.genomeId, generation: e.generation, cause: e.cause, summary: e.summary }),
  chaos: (e) => ({ type: 'chaos', organism: e.organism, chaosType: e.type, line: e.line, description: e.description, genomeId: e.genomeId, generation: e.generation }),
  detected: (e) => ({ type: 'detected', organism: e.organism, cause: e.cause, verdict: e.verdict, detectMs: e.detectMs }),
  healed: (e) => ({ type: 'heal', organism: e.organism, outcome: 'healed', strategy: e.strategy, healMs: e.healMs, reason: null }),
  'heal-failed': (e) => ({ type: 'heal', organism: e.organism, outcome: 'failed', strategy: null, healMs: null, reason: e.reason }),
  incident: (e) => ({ type: 'incident', organism: e.organism, phase: e.phase, incident: { ...e.incident } }),
  proposal: ({ organism, phase, proposal: p }) => ({
    type: 'proposal',
    organism,
    phase,
    proposal: { id: p.id, kind: p.kind, status: p.status, strategy: p.strategy, summary: p.summary, baseGenomeId: p.baseGenomeId, decidedBy: p.decidedBy, reason: p.reason, genomeId: p.genomeId },
  }),
};

const SUMMARY_MAX = 200;

/** The counters of an evolution run and its newest candidate: what a progress bar needs, not the whole run. */
export function summarizeEvolution(p: EvolutionProgress): Extract<JournalEvent, { type: 'evolution' }>['run'] {
  const last = p.candidates[p.candidates.length - 1];
  const fitness = p.best.fitness;
  return {
    id: p.id,
    state: p.state,
    generation: p.generation,
    generations: p.settings.generations,
    candidatesTried: p.candidatesTried,
    accepted: p.accepted,
    refused: p.refused,
    bestGenomeId: p.best.genomeId,
    bestTimeMs: fitness && fitness.gate === 'passed' ? fitness.timeMs : null,
    endReason: p.endReason,
    lastCandidate: last
      ? {
          n: last.n,
          source: last.source,
          summary: last.summary.length > SUMMARY_MAX ? `${last.summary.slice(0, SUMMARY_MAX - 1)}…` : last.summary,
          outcome: last.outcome,
          stage: last.stage,
          reason: last.reason.length > SUMMARY_MAX ? `${last.reason.slice(0, SUMMARY_MAX - 1)}…` : last.reason,
        }
      : null,
  };
}

/** Publishes what the sources tell, as it happens; returns the function that stops listening. */
export function connectSources(journal: EventJournal, s: EventSources): () => void {
  const offs: (() => void)[] = [];
  const publish = (make: () => EventBody) => {
    try {
      journal.publish(make());
    } catch (err) {
      s.onError?.(err);
    }
  };
  const entries = Object.entries(FROM_SUPERVISOR) as [keyof SupervisorEventMap, (...args: unknown[]) => EventBody][];
  for (const { events } of s.supervisors) {
    const emitter = events as unknown as NodeJS.EventEmitter;
    for (const [name, toBody] of entries) {
      const listener = (...args: unknown[]) => publish(() => toBody(...args));
      emitter.on(name, listener);
      offs.push(() => emitter.off(name, listener));
    }
  }
  offs.push(
    s.logbook.onEntry(({ organism, ...entry }) => publish(() => ({ type: 'log', organism, entry }))),
  );
  if (s.evolution) {
    // The engine reports small steps; only what changes the summary is worth an event.
    const lastSent = new Map<string, string>();
    offs.push(
      s.evolution.onProgress((p) => {
        const run = summarizeEvolution(p);
        const key = JSON.stringify(run);
        if (lastSent.get(p.organism) === key) return;
        lastSent.set(p.organism, key);
        publish(() => ({ type: 'evolution', organism: p.organism, run }));
      }),
    );
  }
  return () => {
    for (const off of offs.splice(0)) off();
  };
}
