/**
 * An evolution run's progress, as the API reports it: its settings, every candidate tried (newest kept), the best
 * over time and the promotions. The engine writes it only through the functions here, so the counters always agree
 * with the records.
 */
import { EVOLUTION_SOURCES, type CandidateStage, type EvolutionRunState, type EvolutionSource } from '@ouroboros/contract';
import type { Fitness } from './fitness.js';

export const SOURCE_NAMES = EVOLUTION_SOURCES;
export type SourceName = EvolutionSource;
export type { CandidateStage };

export interface RunSettings {
  generations: number;
  /** Candidates per generation. */
  population: number;
  timeBudgetMs: number;
  margin: number;
  sources: SourceName[];
  /** Seeds the operators' and the selection's choices. */
  seed: number;
}

export interface CandidateRecord {
  n: number;
  generation: number;
  source: SourceName;
  summary: string;
  operator: string | null;
  outcome: 'accepted' | 'refused' | 'screened';
  /** Where it was refused (or accepted: 'promotion'). */
  stage: CandidateStage;
  reason: string;
  /** The first measurement's time and size (null when it failed the gate or was given up on). */
  timeMs: number | null;
  codeSize: number | null;
  genomeId: string | null;
}

export interface ProgressPoint {
  generation: number;
  at: string;
  tried: number;
  /** The live genome's (the champion's) time. */
  liveMs: number;
  /** The fastest candidate that passed the gate so far (first measurements, unconfirmed). */
  bestMs: number;
}

export interface Promotion {
  genomeId: string;
  generation: number;
  at: string;
  source: SourceName;
  timeMs: number;
  parentTimeMs: number;
  /** parentTimeMs / timeMs in the confirming (paired) measurement. */
  speedup: number;
  byInput: { name: string; parentMs: number; candidateMs: number; speedup: number }[];
}

export interface EvolutionProgress {
  id: string;
  organism: string;
  state: EvolutionRunState;
  startedAt: string;
  finishedAt: string | null;
  endReason: string | null;
  settings: RunSettings;
  /** Generations completed. */
  generation: number;
  candidatesTried: number;
  accepted: number;
  refused: number;
  /** The live genome's fitness when the run started. */
  baseline: Fitness | null;
  /** The champion: the live genome as far as this run knows, with its latest measurement. */
  best: { genomeId: string | null; fitness: Fitness | null };
  bestOverTime: ProgressPoint[];
  /** The newest candidates, oldest first (at most MAX_CANDIDATES). */
  candidates: CandidateRecord[];
  promotions: Promotion[];
}

export const MAX_CANDIDATES = 100;

/** The progress of a run that has just started: nothing tried yet. */
export function newProgress(
  start: Pick<EvolutionProgress, 'id' | 'organism' | 'startedAt' | 'settings' | 'best'>,
): EvolutionProgress {
  return {
    ...start,
    state: 'running',
    finishedAt: null,
    endReason: null,
    generation: 0,
    candidatesTried: 0,
    accepted: 0,
    refused: 0,
    baseline: null,
    bestOverTime: [],
    candidates: [],
    promotions: [],
  };
}

/** Counts a new candidate and keeps its record (the newest MAX_CANDIDATES of them). */
export function recordCandidate(p: EvolutionProgress, r: Omit<CandidateRecord, 'n'>): CandidateRecord {
  const rec = { n: p.candidatesTried + 1, ...r };
  p.candidatesTried++;
  if (r.outcome === 'refused') p.refused++;
  p.candidates.push(rec);
  if (p.candidates.length > MAX_CANDIDATES) p.candidates.splice(0, p.candidates.length - MAX_CANDIDATES);
  return rec;
}

/** A candidate that was still in the running is refused at `stage`. */
export function refuseCandidate(p: EvolutionProgress, rec: CandidateRecord, stage: CandidateStage, reason: string): void {
  rec.outcome = 'refused';
  rec.stage = stage;
  rec.reason = reason;
  p.refused++;
}

/** Ends the run once: the first end (finished, failed or cancelled) is the one reported. */
export function endRun(p: EvolutionProgress, state: Exclude<EvolutionRunState, 'running'>, reason: string, at: number): void {
  if (p.state !== 'running') return;
  p.state = state;
  p.endReason = reason;
  p.finishedAt = new Date(at).toISOString();
}
