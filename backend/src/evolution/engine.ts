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
 * The run is a pipeline of named steps (EvolutionRun below): rebase on the live genome, screen a generation's
 * candidates, confirm and promote the best. Everything it touches comes in through EngineDeps, so tests can drive it
 * with a scripted measurement.
 */
import type { Rng } from '../lib/rng.js';
import { sourceHash } from '../lib/source-hash.js';
import type { MeasureOptions, MeasureResult, PairResult, ScreenOptions, ScreenResult } from './bench.js';
import { describeFitness, rankFitness, type PassedFitness } from './fitness.js';
import type { LlmOutcome, ShownVersion } from './llm.js';
import { mutate } from './operators.js';
import {
  endRun,
  recordCandidate,
  refuseCandidate,
  type CandidateRecord,
  type EvolutionProgress,
  type RunSettings,
  type SourceName,
} from './progress.js';
import { confirm, CONFIRM_PAIRS, screen, type Confirmation } from './promotion-rule.js';

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
  /** Told after each step that changes the progress (a candidate, a generation, a promotion, the end): the event stream. */
  onProgress?: () => void;
}

/** Runs to the end (generations, budget, cancellation or a dead end) and leaves the outcome in deps.progress. */
export function runEvolution(d: EngineDeps): Promise<void> {
  return new EvolutionRun(d).run();
}

class Cancelled extends Error {}

/** A new source for one slot of a generation, from the LLM or the operators. */
interface Proposal {
  source: string;
  summary: string;
  operator: string | null;
  from: SourceName;
  detail: Record<string, unknown>;
}

/** A candidate that beat the champion in its first measurement: waiting for its confirmation. */
interface Screened {
  member: Member;
  rec: CandidateRecord;
  source: SourceName;
  summary: string;
  detail: Record<string, unknown>;
}

type Confirmed = Extract<Confirmation, { confirmed: true }>;

class EvolutionRun {
  private readonly now: () => number;
  private readonly p: EvolutionProgress;
  private readonly s: RunSettings;
  private readonly deadline: number;
  /** Every source measured or refused in this run (and the history's): none is tried twice. */
  private readonly seen = new Set<string>();
  /** The fittest members so far, best first: the LLM sees the elite, the operators pick parents from all. */
  private population: Member[] = [];
  /** The live genome as far as this run knows, with its latest measurement. */
  private champion: Member | null = null;

  constructor(private readonly d: EngineDeps) {
    this.now = d.now ?? Date.now;
    this.p = d.progress;
    this.s = d.settings;
    this.deadline = this.now() + this.s.timeBudgetMs;
  }

  async run(): Promise<void> {
    const { d, p, s } = this;
    try {
      for (const m of d.history ?? []) this.seen.add(m.hash);
      if (!(await this.rebase())) return;
      for (const m of d.history ?? []) this.addMember(m);
      this.point(0);

      for (let gen = 1; gen <= s.generations; gen++) {
        this.check();
        if (this.outOfTime()) {
          this.end('finished', `the time budget of ${s.timeBudgetMs} ms is spent after ${gen - 1} generation(s)`);
          break;
        }
        if (d.live().id !== this.champion!.genomeId) {
          d.log('warn', 'evolution: the live genome changed under the run (chaos, a heal, a rollback or an edit); taking the new one as the champion');
          if (!(await this.rebase())) return;
        }
        const champ = this.champion!;
        const screened = await this.screenGeneration(gen, champ);
        await this.promoteBest(gen, champ, screened);
        p.generation = gen;
        this.point(gen);
        if (gen === s.generations) this.end('finished', `${s.generations} generation(s) done`);
      }
      this.end('finished', `${p.generation} generation(s) done`);
    } catch (err) {
      for (const c of p.candidates) if (c.outcome === 'screened') refuseCandidate(p, c, c.stage, 'not confirmed: the run ended first');
      if (err instanceof Cancelled || d.signal.aborted) {
        this.end('cancelled', 'cancelled');
        return;
      }
      this.end('failed', `the run failed: ${(err as Error).message}`);
      throw err;
    }
  }

  /** Step 1: takes the live genome as the champion, once the organism is healthy, by measuring it. */
  private async rebase(): Promise<boolean> {
    const { d, p } = this;
    const why = await d.waitReady(this.deadline);
    this.check();
    if (why !== null) {
      this.end('finished', `stopped: ${why}`);
      return false;
    }
    const live = d.live();
    const m = await d.measure(live.source, { signal: d.signal });
    this.check();
    if (m.fitness === null || m.fitness.gate === 'failed') {
      this.end('failed', `the live genome fails the fitness gate (${m.fitness ? m.fitness.reason : m.gaveUp}); heal it or roll it back before evolving`);
      return false;
    }
    if (d.live().id !== live.id) return this.rebase();
    const champion: Member = { source: live.source, hash: sourceHash(live.source), fitness: m.fitness, genomeId: live.id };
    this.champion = champion;
    p.best = { genomeId: live.id, fitness: m.fitness };
    p.baseline ??= m.fitness;
    this.seen.add(champion.hash);
    this.addMember(champion);
    d.log('info', `evolution: the live genome ${live.id} measures ${describeFitness(m.fitness)}`);
    return true;
  }

  /** Step 2: fills the generation's slots with new candidates, each measured once beside the champion; returns those that beat it. */
  private async screenGeneration(gen: number, champ: Member): Promise<Screened[]> {
    // Wall-time limits from the champion's CPU times: generous, since a loaded machine stretches wall time, and
    // only there to give up early on a candidate many times slower.
    const limits = new Map(champ.fitness.inputs.map((i) => [i.name, Math.max(2000, 8 * i.medianMs + 1000)]));
    const screened: Screened[] = [];
    for (let slot = 0; slot < this.s.population; slot++) {
      this.check();
      if (this.outOfTime()) break;
      const proposal = await this.propose(gen, slot);
      if (!proposal) continue;
      const candidate = await this.screenProposal(gen, proposal, champ, limits);
      if (candidate) screened.push(candidate);
    }
    return screened;
  }

  /** A source for the slot: the LLM's and the operators' turns alternate when both are on; null when neither gives one. */
  private async propose(gen: number, slot: number): Promise<Proposal | null> {
    const { d, s } = this;
    const wantsLlm = s.sources.includes('llm') && d.askLlm !== undefined && (!s.sources.includes('operators') || slot % 2 === 0);
    if (wantsLlm && d.askLlm) {
      const shown = this.population.slice(0, ELITE).map((m) => ({ source: m.source, fitness: m.fitness }));
      const out = await d.askLlm(shown, { signal: d.signal, temperature: 0.6 + 0.4 * d.rng.next() });
      this.check();
      if (out.kind === 'candidate') return { ...out.proposal, operator: null, from: 'llm' };
      if (out.kind === 'invalid') {
        this.refusedOutright(gen, { source: 'llm', summary: 'a model answer', operator: null }, out.reason);
        return null;
      }
      d.log('warn', `evolution: no candidate from the LLM: ${out.reason}`);
    }
    if (!s.sources.includes('operators')) return null;
    const parent = tournament(this.population, d.rng);
    const mutant = mutate(parent.source, d.rng, (src) => !this.seen.has(sourceHash(src)));
    if (!mutant) return null;
    return {
      source: mutant.source,
      summary: mutant.summary,
      operator: mutant.operator,
      from: 'operators',
      detail: { operators: { applied: mutant.operator, parent: parent.genomeId ?? parent.hash.slice(0, 16) } },
    };
  }

  /** The first measurement of a new source beside the champion; the candidate when it beat the champion by the margin. */
  private async screenProposal(gen: number, proposal: Proposal, champ: Member, limits: Map<string, number>): Promise<Screened | null> {
    const { d, p, s } = this;
    const hash = sourceHash(proposal.source);
    const who = { source: proposal.from, summary: proposal.summary, operator: proposal.operator };
    if (this.seen.has(hash)) {
      this.refusedOutright(gen, who, 'a source already tried in this run');
      return null;
    }
    this.seen.add(hash);
    const rec = recordCandidate(p, { generation: gen, ...who, outcome: 'screened', stage: 'gate', reason: 'measuring', timeMs: null, codeSize: null, genomeId: null });
    d.onProgress?.();
    const m = await d.screen(proposal.source, champ.source, { signal: d.signal, timeLimitsMs: limits, giveUpRatio: 2 });
    this.check();
    if (m.candidate) rec.codeSize = m.candidate.codeSize;
    if (m.candidate?.gate === 'passed') {
      rec.timeMs = m.candidate.timeMs;
      this.addMember({ source: proposal.source, hash, fitness: m.candidate, genomeId: null });
    }
    const first = screen(m, s.margin);
    if (!first.passed) {
      refuseCandidate(p, rec, first.stage, first.reason);
      return null;
    }
    rec.stage = 'confirmation';
    rec.reason = first.reason;
    const member: Member = { source: proposal.source, hash, fitness: first.candidate, genomeId: null };
    return { member, rec, source: proposal.from, summary: proposal.summary, detail: proposal.detail };
  }

  /** Step 3: the best first-measured candidates, one at a time, until one is confirmed and promoted. */
  private async promoteBest(gen: number, champ: Member, screened: Screened[]): Promise<void> {
    screened.sort((a, b) => rankFitness(a.member.fitness, b.member.fitness));
    let promoted = false;
    for (const c of screened) {
      this.check();
      if (promoted) {
        refuseCandidate(this.p, c.rec, 'confirmation', 'not confirmed: a better candidate of this generation was promoted first');
        continue;
      }
      promoted = await this.confirmAndPromote(gen, champ, c);
    }
  }

  /** A paired measurement against the champion confirms the candidate, then the supervisor promotes it; false when refused. */
  private async confirmAndPromote(gen: number, champ: Member, c: Screened): Promise<boolean> {
    const { d, p, s } = this;
    if (d.live().id !== champ.genomeId) {
      refuseCandidate(p, c.rec, 'promotion', 'not promoted: the live genome changed (chaos, a heal, a rollback or an edit) before confirmation');
      return false;
    }
    const busy = await d.waitReady(this.now());
    if (busy !== null) {
      refuseCandidate(p, c.rec, 'promotion', `not promoted now: ${busy}`);
      return false;
    }
    const pair = await d.measurePair(c.member.source, champ.source, { signal: d.signal, repeats: Math.max(CONFIRM_PAIRS, champ.fitness.repeats) });
    this.check();
    const second = confirm(pair, s.margin);
    if (!second.confirmed) {
      refuseCandidate(p, c.rec, 'confirmation', second.reason);
      return false;
    }
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
        detail: { evolve: { ...this.evidence(gen, c, second, pair), speedup, byInput, ...c.detail } },
      },
      second.candidate,
    );
    if ('refused' in result) {
      refuseCandidate(p, c.rec, 'promotion', `not promoted: ${result.refused}`);
      return false;
    }
    c.rec.outcome = 'accepted';
    c.rec.stage = 'promotion';
    c.rec.reason = `${second.reason} and promoted`;
    c.rec.genomeId = result.genomeId;
    p.accepted++;
    p.promotions.push({
      genomeId: result.genomeId,
      generation: result.generation,
      at: new Date(this.now()).toISOString(),
      source: c.source,
      timeMs: second.candidate.timeMs,
      parentTimeMs: parentFit.timeMs,
      speedup,
      byInput,
    });
    const next: Member = { ...c.member, fitness: second.candidate, genomeId: result.genomeId };
    this.champion = next;
    this.population = this.population.filter((m) => m.hash !== next.hash);
    this.addMember(next);
    p.best = { genomeId: result.genomeId, fitness: second.candidate };
    d.onProgress?.();
    d.log('info', `evolution: promoted generation ${result.generation} (${describeFitness(second.candidate)}; ${speedup}x the parent's speed)`);
    return true;
  }

  /** What the promoted genome's detail keeps of both measurements that let it in. */
  private evidence(gen: number, c: Screened, second: Confirmed, pair: PairResult): Record<string, unknown> {
    const { wins, ratio } = second;
    return {
      run: this.p.id,
      generation: gen,
      source: c.source,
      summary: c.summary,
      margin: this.s.margin,
      screening: { comparison: c.rec.reason, fitness: c.member.fitness },
      confirmation: {
        comparison: second.comparison.reason,
        pairs: pair.pairs,
        wins,
        ratio: { estimate: round(ratio.estimate), upper: round(ratio.upper), confidence: 1 - ratio.alpha },
        candidate: second.candidate,
        parent: second.incumbent,
      },
    };
  }

  /** A candidate refused before any measurement (an invalid answer, a source tried before). */
  private refusedOutright(gen: number, who: Pick<CandidateRecord, 'source' | 'summary' | 'operator'>, reason: string): void {
    recordCandidate(this.p, { generation: gen, ...who, outcome: 'refused', stage: 'answer', reason, timeMs: null, codeSize: null, genomeId: null });
    this.d.onProgress?.();
  }

  private addMember(m: Member): void {
    if (this.population.some((x) => x.hash === m.hash)) return;
    this.population = [...this.population, m].sort((a, b) => rankFitness(a.fitness, b.fitness)).slice(0, Math.max(this.s.population, ELITE + 1));
  }

  private point(generation: number): void {
    const champ = this.champion;
    if (!champ) return;
    const bestMs = Math.min(...this.population.map((m) => m.fitness.timeMs), champ.fitness.timeMs);
    this.p.bestOverTime.push({ generation, at: new Date(this.now()).toISOString(), tried: this.p.candidatesTried, liveMs: champ.fitness.timeMs, bestMs });
    this.d.onProgress?.();
  }

  private end(state: 'finished' | 'failed' | 'cancelled', reason: string): void {
    endRun(this.p, state, reason, this.now());
    this.d.onProgress?.();
  }

  private outOfTime(): boolean {
    return this.now() >= this.deadline;
  }

  private check(): void {
    if (this.d.signal.aborted) throw new Cancelled();
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
