/**
 * Which happenings are worth an alert, read from what the watcher already tells (supervisor events, log lines,
 * the storage monitor). Pure: no I/O. A lasting condition (a crash loop, a quarantine, a failed heal, failing
 * storage) is raised once and cleared when it ends, so it alerts once and is reminded while it lasts; a one-off
 * (a demotion, a heal, an evolution's promotion) alerts once.
 */
import type { AlertEvent } from '@ouroboros/contract';
import type { Cause, LogLevel, LogSource, OrganismState } from '../domain.js';

export interface Signal {
  kind: 'raise' | 'once';
  /** One alert per key while it is raised. */
  key: string;
  event: AlertEvent;
  /** null: the whole server (storage). */
  organism: string | null;
  summary: string;
}

export interface Clear {
  kind: 'clear';
  /** Every raised condition whose key starts with one of these ends. */
  prefixes: string[];
}

export type AlertChange = Signal | Clear;

/** What an organism's trouble looks like as keys: everything of `organism` that a recovery ends. */
const troubleOf = (organism: string) => [`crash-loop:${organism}`, `heal-failed:${organism}`, `quarantined:${organism}`];

export function fromState(organism: string, from: OrganismState, to: OrganismState, quarantineReason: string | null): AlertChange | null {
  if (to === 'quarantined') {
    return { kind: 'raise', key: `quarantined:${organism}`, event: 'quarantined', organism, summary: `${organism} is quarantined: ${quarantineReason ?? 'the repair ladder gave up'}; the watcher probes it with a growing delay` };
  }
  if (to === 'healthy') return { kind: 'clear', prefixes: troubleOf(organism) };
  if (from === 'quarantined' && to !== 'healing') return { kind: 'clear', prefixes: [`quarantined:${organism}`] };
  return null;
}

export function fromHealFailed(organism: string, generation: number, reason: string): Signal {
  return { kind: 'raise', key: `heal-failed:${organism}`, event: 'heal-failed', organism, summary: `${organism}: could not heal generation ${generation}: ${reason}` };
}

/** A heal ends the trouble; it is told only when asked for (ALERT_ON_HEAL). */
export function fromHealed(organism: string, generation: number, strategy: string, healMs: number, tell: boolean): AlertChange[] {
  const clear: Clear = { kind: 'clear', prefixes: troubleOf(organism) };
  if (!tell) return [clear];
  return [clear, { kind: 'once', key: `healed:${organism}:${generation}`, event: 'healed', organism, summary: `${organism} healed by ${strategy} in ${healMs} ms: generation ${generation} is live` }];
}

export function fromIncidentClosed(organism: string): Clear {
  return { kind: 'clear', prefixes: troubleOf(organism) };
}

export function fromPromoted(organism: string, cause: Cause, generation: number, genomeId: string, summary: string): Signal | null {
  if (cause !== 'evolve') return null;
  return { kind: 'once', key: `evolution-promoted:${genomeId}`, event: 'evolution-promoted', organism, summary: `${organism}: evolution promoted generation ${generation} (${summary})` };
}

// The watcher's own words for two conditions it only logs: the supervisor's crash loop (watcher/supervisor.ts)
// and the demotion of a verified genome (watcher/live-judge.ts). test/alerts.test.ts drives a crash loop for real;
// conditions.test.ts holds the demotion's line as live-judge.ts writes it.
const CRASH_LOOP = /^crash loop: /;
const DEMOTED = /^generation (\d+) was verified but answered \w+ on run #\d+: demoted\b/;

export function fromLogLine(organism: string, source: LogSource, level: LogLevel, text: string): Signal | null {
  if (source !== 'watcher' || level !== 'warn') return null;
  if (CRASH_LOOP.test(text)) return { kind: 'raise', key: `crash-loop:${organism}`, event: 'crash-loop', organism, summary: `${organism} entered a ${text}` };
  const demoted = DEMOTED.exec(text);
  if (demoted) return { kind: 'once', key: `demoted:${organism}:${demoted[1]}`, event: 'demoted', organism, summary: `${organism}: ${firstSentence(text)}` };
  return null;
}

export function fromStorage(fault: { message: string } | null): AlertChange {
  if (!fault) return { kind: 'clear', prefixes: ['storage'] };
  return { kind: 'raise', key: 'storage', event: 'storage-degraded', organism: null, summary: `storage degraded: ${fault.message}` };
}

function firstSentence(text: string): string {
  const end = text.indexOf('. ');
  return end === -1 ? text : text.slice(0, end + 1);
}
