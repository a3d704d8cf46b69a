/** The words of the domain, shared by the watcher, the store, the healer, the API and the dashboard. */

export const VERDICTS = ['ok', 'crashed', 'hung', 'wrong', 'slow', 'oom'] as const;
export type Verdict = (typeof VERDICTS)[number];

export const CAUSES = ['seed', 'chaos', 'heal', 'rollback', 'external', 'evolve', 'manual'] as const;
export type Cause = (typeof CAUSES)[number];

/** `verifying`: the live genome has not been judged in this process yet, or its verification suite is still running. */
export const STATES = ['healthy', 'verifying', 'sick', 'healing', 'backoff', 'quarantined', 'paused'] as const;
export type OrganismState = (typeof STATES)[number];

export const LOG_SOURCES = ['organism', 'watcher', 'chaos', 'healer'] as const;
export type LogSource = (typeof LOG_SOURCES)[number];

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Where a genome stands with its organism's verification suite. Only `passed` is healthy: a baseline for healing and a
 * rollback target. `failed` covers a suite failure, a failed run before the suite and a demotion.
 */
export const VERIFICATION_STATES = ['pending', 'passed', 'failed'] as const;
export type VerificationState = (typeof VERIFICATION_STATES)[number];

/** Where evolution's candidates come from. */
export const EVOLUTION_SOURCES = ['llm', 'operators'] as const;
export type EvolutionSource = (typeof EVOLUTION_SOURCES)[number];

export const EVOLUTION_RUN_STATES = ['running', 'finished', 'cancelled', 'failed'] as const;
export type EvolutionRunState = (typeof EVOLUTION_RUN_STATES)[number];

/** What became of a candidate, and the stage of the pipeline that decided it. */
export const CANDIDATE_OUTCOMES = ['accepted', 'refused', 'screened'] as const;
export type CandidateOutcome = (typeof CANDIDATE_OUTCOMES)[number];
export const CANDIDATE_STAGES = ['answer', 'gate', 'screening', 'confirmation', 'promotion'] as const;
export type CandidateStage = (typeof CANDIDATE_STAGES)[number];

/** An organism's name: its folder under organisms/, and a URL segment. */
export const ORGANISM_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * Approval mode: `auto` promotes a verified repair (or an evolved genome) at once; `propose` keeps it as a pending
 * proposal until a person approves or rejects it.
 */
export const HEAL_MODES = ['auto', 'propose'] as const;
export type HealMode = (typeof HEAL_MODES)[number];

/** What a proposal would change: a repair of the failing live genome, or an evolved (faster) genome. */
export const PROPOSAL_KINDS = ['heal', 'evolve'] as const;
export type ProposalKind = (typeof PROPOSAL_KINDS)[number];

/** `superseded`: the live genome changed before a decision (chaos, a rollback, an edit, a newer proposal). */
export const PROPOSAL_STATUSES = ['pending', 'approved', 'rejected', 'superseded'] as const;
export type ProposalStatus = (typeof PROPOSAL_STATUSES)[number];
