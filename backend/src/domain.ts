/** The words of the domain, shared by the watcher, the store, the healer and the API. */

export const VERDICTS = ['ok', 'crashed', 'hung', 'wrong', 'slow', 'oom'] as const;
export type Verdict = (typeof VERDICTS)[number];

export const CAUSES = ['seed', 'chaos', 'heal', 'rollback', 'external', 'evolve', 'manual'] as const;
export type Cause = (typeof CAUSES)[number];

export const STATES = ['healthy', 'sick', 'healing', 'backoff', 'quarantined', 'paused'] as const;
export type OrganismState = (typeof STATES)[number];

export const LOG_SOURCES = ['organism', 'watcher', 'chaos', 'healer'] as const;
export type LogSource = (typeof LOG_SOURCES)[number];

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
