/**
 * One evolution run: a small population, bounded generations and time, candidates from the LLM and from the
 * built-in operators, and a strict acceptance rule.
 *
 * A candidate is promoted only when (1) it passes the gate, (2) its fitness is better than the champion's (the
 * live genome's) by the margin in a first measurement, and (3) a second measurement, its runs interleaved with
 * the live genome's, confirms it (the rule itself, in CPU time, is promotion-rule.ts). At most one promotion per
 * generation: the best candidate that is confirmed. The promotion itself is the supervisor's compare-and-swap on
 * the live genome, so it never lands on top of chaos or a heal it did not see; if the live genome changed, the
 * run takes the new one as its champion (once the organism is healthy again) and carries on.
 *
 * Everything the engine touches comes in through EngineDeps, so tests can drive it with a scripted measurement.
 */
import { EVOLUTION_SOURCES, type EvolutionSource } from '@ouroboros/contract';
import type { Rng } from '../lib/rng.js';
import { sourceHash } from '../lib/source-hash.js';
import type { MeasureOptions, MeasureResult, PairResult, ScreenOptions, ScreenResult } from './bench.js';
import { describeFitness, rankFitness, type Fitness, type PassedFitness } from './fitness.js';
import type { LlmOutcome, ShownVersion } from './llm.js';
import { mutate } from './operators.js';
import { confirm, CONFIRM_PAIRS, screen } from './promotion-rule.js';

export const SOURCE_NAMES = EVOLUTION_SOURCES;
export type SourceName = EvolutionSource;

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

export type CandidateStage = 'answer' | 'gate' | 'screening' | 'confirmation' | 'promotion';

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
  state: 'running' | 'finished' | 'cancelled' | 'failed';
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

export const MAX_CANDIDATES = 100;
const ELITE = 3;

export interface Member {
  source: string;
  hash: string;
  fitness: PassedFitness;
  genomeId: string | null;
}

export type PromoteResult = { genomeId: string; generation: number } | { refused: string };

export interface EngineDeps {
  settings: RunSettings;
  progress: EvolutionProgress;
  rng: Rng;
  signal: AbortSignal;
  now?: () => number;
  /** The live genome now. */
  live(): { id: string; source: string };
  /** Waits until the organism can take a promotion (not healing, not paused, healthy) or the deadline: null when ready, else why not. */
  waitReady(deadline: number): Promise<string | null>;
  /** Measures a source alone (the champion). */
  measure(source: string, opts: MeasureOptions): Promise<MeasureResult>;
  /** A candidate's first measurement: its gate, then its timed runs interleaved with the incumbent's. */
  screen(candidate: string, incumbent: string, opts: ScreenOptions): Promise<ScreenResult>;
  /** Interleaved runs of both, `repeats` pairs. */
  measurePair(candidate: string, incumbent: string, opts: { signal?: AbortSignal; repeats: number }): Promise<PairResult>;
  /** Promotes through the supervisor's compare-and-swap; `fitness` is stored with the new genome. */
  promote(expectedLiveId: string, c: { source: string; summary: string; detail: Record<string, unknown> }, fitness: PassedFitness): Promise<PromoteResult>;
  /** The LLM source, when one is configured. */
  askLlm?: ((versions: readonly ShownVersion[], opts: { signal: AbortSignal; temperature: number }) => Promise<LlmOutcome>) | undefined;
  /** Passing genomes of the past (other sources), to seed the population the LLM sees. */
  history?: readonly Member[];
  log(level: 'info' | 'warn', text: string): void;
}

class Cancelled extends Error {}

/** Runs to the end (generations, budget, cancellation or a dead end) and leaves the outcome in deps.progress. */
export async function runEvolution(d: EngineDeps): Promise<void> {
  const now = d.now ?? Date.now;
  const p = d.progress;
  const s = d.settings;
  const deadline = now() + s.timeBudgetMs;
  const seen = new Set<string>();
  let population: Member[] = [];
  let champion: Member | null = null;
  const outOfTime = () => now() >= deadline;
  const check = () => {
    if (d.signal.aborted) throw new Cancelled();
  };

  const record = (r: Omit<CandidateRecord, 'n'>): CandidateRecord => {
    const rec = { n: p.candidatesTried + 1, ...r };
    p.candidatesTried++;
    if (r.outcome === 'refused') p.refused++;
    p.candidates.push(rec);
    if (p.candidates.length > MAX_CANDIDATES) p.candidates.splice(0, p.candidates.length - MAX_CANDIDATES);
    return rec;
  };
  const refuse = (rec: CandidateRecord, stage: CandidateStage, reason: string) => {
    rec.outcome = 'refused';
    rec.stage = stage;
    rec.reason = reason;
    p.refused++;
  };
  const addMember = (m: Member) => {
    if (population.some((x) => x.hash === m.hash)) return;
    population = [...population, m].sort((a, b) => rankFitness(a.fitness, b.fitness)).slice(0, Math.max(s.population, ELITE + 1));
  };
  const bestMs = () => Math.min(...population.map((m) => m.fitness.timeMs), champion?.fitness.timeMs ?? Infinity);
  const point = (generation: number) => {
    if (!champion) return;
    p.bestOverTime.push({ generation, at: new Date(now()).toISOString(), tried: p.candidatesTried, liveMs: champion.fitness.timeMs, bestMs: bestMs() });
  };

  /** Takes the live genome as the champion: waits for a healthy organism, then measures it. */
  const rebase = async (): Promise<boolean> => {
    const why = await d.waitReady(deadline);
    check();
    if (why !== null) {
      end('finished', `stopped: ${why}`);
      return false;
    }
    const live = d.live();
    const m = await d.measure(live.source, { signal: d.signal });
    check();
    if (m.fitness === null || m.fitness.gate === 'failed') {
      end('failed', `the live genome fails the fitness gate (${m.fitness ? m.fitness.reason : m.gaveUp}); heal it or roll it back before evolving`);
      return false;
    }
    if (d.live().id !== live.id) return rebase();
    champion = { source: live.source, hash: sourceHash(live.source), fitness: m.fitness, genomeId: live.id };
    p.best = { genomeId: live.id, fitness: m.fitness };
    p.baseline ??= m.fitness;
    seen.add(champion.hash);
    addMember(champion);
    d.log('info', `evolution: the live genome ${live.id} measures ${describeFitness(m.fitness)}`);
    return true;
  };

  const end = (state: EvolutionProgress['state'], reason: string) => {
    if (p.state !== 'running') return;
    p.state = state;
    p.endReason = reason;
    p.finishedAt = new Date(now()).toISOString();
  };

  try {
    for (const m of d.history ?? []) seen.add(m.hash);
    if (!(await rebase())) return;
    for (const m of d.history ?? []) addMember(m);
    point(0);

    for (let gen = 1; gen <= s.generations; gen++) {
      check();
      if (outOfTime()) {
        end('finished', `the time budget of ${s.timeBudgetMs} ms is spent after ${gen - 1} generation(s)`);
        break;
      }
      if (d.live().id !== champion!.genomeId) {
        d.log('warn', 'evolution: the live genome changed under the run (chaos, a heal, a rollback or an edit); taking the new one as the champion');
        if (!(await rebase())) return;
      }
      const champ = champion!;
      // Wall-time limits from the champion's CPU times: generous, since a loaded machine stretches wall time, and
      // only there to give up early on a candidate many times slower.
      const limits = new Map(champ.fitness.inputs.map((i) => [i.name, Math.max(2000, 8 * i.medianMs + 1000)]));
      const screened: { member: Member; rec: CandidateRecord; source: SourceName; summary: string; detail: Record<string, unknown> }[] = [];

      for (let slot = 0; slot < s.population; slot++) {
        check();
        if (outOfTime()) break;
        const wantsLlm = s.sources.includes('llm') && d.askLlm !== undefined && (!s.sources.includes('operators') || slot % 2 === 0);
        let proposal: { source: string; summary: string; operator: string | null; from: SourceName; detail: Record<string, unknown> } | null = null;
        if (wantsLlm && d.askLlm) {
          const shown = population.slice(0, ELITE).map((m) => ({ source: m.source, fitness: m.fitness }));
          const out = await d.askLlm(shown, { signal: d.signal, temperature: 0.6 + 0.4 * d.rng.next() });
          check();
          if (out.kind === 'candidate') {
            proposal = { ...out.proposal, operator: null, from: 'llm' };
          } else if (out.kind === 'invalid') {
            record({ generation: gen, source: 'llm', summary: 'a model answer', operator: null, outcome: 'refused', stage: 'answer', reason: out.reason, timeMs: null, codeSize: null, genomeId: null });
            continue;
          } else {
            d.log('warn', `evolution: no candidate from the LLM: ${out.reason}`);
          }
        }
        if (!proposal && s.sources.includes('operators')) {
          const parent = tournament(population, d.rng);
          const mutant = mutate(parent.source, d.rng, (src) => !seen.has(sourceHash(src)));
          if (mutant) proposal = { source: mutant.source, summary: mutant.summary, operator: mutant.operator, from: 'operators', detail: { operators: { applied: mutant.operator, parent: parent.genomeId ?? parent.hash.slice(0, 16) } } };
        }
        if (!proposal) continue;
        const hash = sourceHash(proposal.source);
        if (seen.has(hash)) {
          record({ generation: gen, source: proposal.from, summary: proposal.summary, operator: proposal.operator, outcome: 'refused', stage: 'answer', reason: 'a source already tried in this run', timeMs: null, codeSize: null, genomeId: null });
          continue;
        }
        seen.add(hash);
        const rec = record({ generation: gen, source: proposal.from, summary: proposal.summary, operator: proposal.operator, outcome: 'screened', stage: 'gate', reason: 'measuring', timeMs: null, codeSize: null, genomeId: null });
        const m = await d.screen(proposal.source, champ.source, { signal: d.signal, timeLimitsMs: limits, giveUpRatio: 2 });
        check();
        if (m.candidate) rec.codeSize = m.candidate.codeSize;
        if (m.candidate?.gate === 'passed') {
          rec.timeMs = m.candidate.timeMs;
          addMember({ source: proposal.source, hash, fitness: m.candidate, genomeId: null });
        }
        const first = screen(m, s.margin);
        if (!first.passed) {
          refuse(rec, first.stage, first.reason);
          continue;
        }
        const member: Member = { source: proposal.source, hash, fitness: first.candidate, genomeId: null };
        rec.stage = 'confirmation';
        rec.reason = first.reason;
        screened.push({ member, rec, source: proposal.from, summary: proposal.summary, detail: proposal.detail });
      }

      // The best first-measured candidates, one at a time, until one is confirmed and promoted.
      screened.sort((a, b) => rankFitness(a.member.fitness, b.member.fitness));
      let promoted = false;
      for (const c of screened) {
        check();
        if (promoted) {
          refuse(c.rec, 'confirmation', 'not confirmed: a better candidate of this generation was promoted first');
          continue;
        }
        if (d.live().id !== champ.genomeId) {
          refuse(c.rec, 'promotion', 'not promoted: the live genome changed (chaos, a heal, a rollback or an edit) before confirmation');
          continue;
        }
        const busy = await d.waitReady(now());
        if (busy !== null) {
          refuse(c.rec, 'promotion', `not promoted now: ${busy}`);
          continue;
        }
        const pair = await d.measurePair(c.member.source, champ.source, { signal: d.signal, repeats: Math.max(CONFIRM_PAIRS, champ.fitness.repeats) });
        check();
        const second = confirm(pair, s.margin);
        if (!second.confirmed) {
          refuse(c.rec, 'confirmation', second.reason);
          continue;
        }
        const { wins, ratio } = second;
        const parentFit = second.incumbent;
        const byInput = second.candidate.inputs.map((i) => {
          const parentMs = parentFit.inputs.find((x) => x.name === i.name)?.medianMs ?? NaN;
          return { name: i.name, parentMs, candidateMs: i.medianMs, speedup: round(parentMs / i.medianMs) };
        });
        const speedup = round(parentFit.timeMs / second.candidate.timeMs);
        const result = await d.promote(
          champ.genomeId as string,
          {
            source: c.member.source,
            summary: `evolved (${c.source === 'llm' ? 'LLM' : 'operators'}): ${describeFitness(second.candidate)}, ${speedup}x the parent's speed; ${truncate(c.summary, 200)}`,
            detail: {
              evolve: {
                run: p.id,
                generation: gen,
                source: c.source,
                summary: c.summary,
                margin: s.margin,
                screening: { comparison: c.rec.reason, fitness: c.member.fitness },
                confirmation: {
                  comparison: second.comparison.reason,
                  pairs: pair.pairs,
                  wins,
                  ratio: { estimate: round(ratio.estimate), upper: round(ratio.upper), confidence: 1 - ratio.alpha },
                  candidate: second.candidate,
                  parent: parentFit,
                },
                speedup,
                byInput,
                ...c.detail,
              },
            },
          },
          second.candidate,
        );
        if ('refused' in result) {
          refuse(c.rec, 'promotion', `not promoted: ${result.refused}`);
          continue;
        }
        promoted = true;
        c.rec.outcome = 'accepted';
        c.rec.stage = 'promotion';
        c.rec.reason = `${second.reason} and promoted`;
        c.rec.genomeId = result.genomeId;
        p.accepted++;
        p.promotions.push({
          genomeId: result.genomeId,
          generation: result.generation,
          at: new Date(now()).toISOString(),
          source: c.source,
          timeMs: second.candidate.timeMs,
          parentTimeMs: parentFit.timeMs,
          speedup,
          byInput,
        });
        const next: Member = { ...c.member, fitness: second.candidate, genomeId: result.genomeId };
        champion = next;
        population = population.filter((m) => m.hash !== next.hash);
        addMember(next);
        p.best = { genomeId: result.genomeId, fitness: second.candidate };
        d.log('info', `evolution: promoted generation ${result.generation} (${describeFitness(second.candidate)}; ${speedup}x the parent's speed)`);
      }
      p.generation = gen;
      point(gen);
      if (gen === s.generations) end('finished', `${s.generations} generation(s) done`);
    }
    end('finished', `${p.generation} generation(s) done`);
  } catch (err) {
    for (const c of p.candidates) if (c.outcome === 'screened') refuse(c, c.stage, 'not confirmed: the run ended first');
    if (err instanceof Cancelled || d.signal.aborted) {
      end('cancelled', 'cancelled');
      return;
    }
    end('failed', `the run failed: ${(err as Error).message}`);
    throw err;
  }
}

/** Tournament selection of two: the fitter of two members drawn at random. */
function tournament(population: readonly Member[], rng: Rng): Member {
  const a = rng.pick(population);
  const b = rng.pick(population);
  return rankFitness(a.fitness, b.fitness) <= 0 ? a : b;
}

const round = (x: number) => Math.round(x * 100) / 100;
const truncate = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
