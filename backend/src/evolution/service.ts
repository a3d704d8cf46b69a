/**
 * Evolution runs for the whole server: one run per organism at a time, started, cancelled and reported through the
 * routes. The fitness recorder (recorder.ts) measures the genomes that become live; this service builds each
 * organism's benchmark and hands it to both.
 *
 * Every measurement of the server (recorder and runs alike) takes one lock, so no two measurements time each
 * other's load. Candidate files live in DATA_DIR/organisms/<name>/evolve; runs go through the same sandbox as
 * the organism's own runs.
 */
import type { EvolutionView, LineageEntry } from '@ouroboros/contract';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sourceHash } from '../lib/source-hash.js';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { DomainError } from '../errors.js';
import { StaleLiveGenomeError, type GenomeRow, type GenomeStore } from '../genome/store.js';
import { CallBudget } from '../llm/call-budget.js';
import { createChatClient, type ChatClient } from '../llm/client.js';
import type { LlmLedger } from '../llm/ledger.js';
import { meteredClient } from '../llm/metered-client.js';
import { Mutex } from '../lib/mutex.js';
import { createRng, randomSeed } from '../lib/rng.js';
import type { Sandbox } from '../sandbox/types.js';
import type { Fleet } from '../watcher/fleet.js';
import type { LogBook } from '../watcher/logbook.js';
import type { Supervisor } from '../watcher/supervisor.js';
import { Bench } from './bench.js';
import { runEvolution, type Member } from './engine.js';
import { fitnessFromRow, type Fitness, type PassedFitness } from './fitness.js';
import { askForFaster } from './llm.js';
import { newProgress, SOURCE_NAMES, type EvolutionProgress, type RunSettings, type SourceName } from './progress.js';
import { FitnessRecorder } from './recorder.js';

export interface EvolutionServiceOptions {
  config: Config;
  store: GenomeStore;
  fleet: Fleet;
  logbook: LogBook;
  logger?: Logger;
  sandbox?: Sandbox | null;
  /** A chat client to use instead of one made from config.llm (tests). */
  chatClient?: ChatClient | null;
  /** The bill every LLM call goes on, and the daily cap (none: calls are not counted). */
  ledger?: LlmLedger | null;
}

export interface EvolveRequest {
  generations?: number | undefined;
  population?: number | undefined;
  timeBudgetMs?: number | undefined;
  margin?: number | undefined;
  sources?: SourceName[] | undefined;
  seed?: number | undefined;
}

const LINEAGE_MAX = 30;
const READY_POLL_MS = 100;

interface RunHandle {
  progress: EvolutionProgress;
  controller: AbortController;
  done: Promise<void>;
}

export class EvolutionService {
  private readonly lock = new Mutex();
  private readonly benches = new Map<string, Bench | null>();
  private readonly runs = new Map<string, RunHandle>();
  private readonly budget: CallBudget | null;
  private readonly client: ChatClient | null;
  private readonly recorder: FitnessRecorder;
  private readonly stopping = new AbortController();
  private readonly progressListeners = new Set<(p: EvolutionProgress) => void>();
  private started = false;

  constructor(private readonly o: EvolutionServiceOptions) {
    const llm = o.config.llm;
    const client = o.chatClient ?? (llm ? createChatClient({ baseUrl: llm.baseUrl, apiKey: llm.apiKey, model: llm.model, timeoutMs: llm.timeoutMs }) : null);
    this.client = client && o.ledger ? meteredClient(client, o.ledger, 'evolve') : client;
    // Evolution's own budget: a long run must never spend the calls healing needs.
    this.budget = this.client ? new CallBudget(o.config.evolve.llmCallsPerHour) : null;
    for (const s of o.fleet.all()) {
      let bench: Bench | null = null;
      try {
        bench = Bench.for(s.organism, {
          dir: path.join(o.config.dataDir, 'organisms', s.name, 'evolve'),
          outputCapBytes: o.config.outputCapBytes,
          killGraceMs: 500,
          sandbox: o.sandbox ?? null,
          lock: this.lock,
          dataDir: o.config.dataDir,
          maxSourceBytes: o.config.maxSourceBytes,
        });
      } catch (err) {
        o.logger?.warn({ organism: s.name, err }, 'the fitness benchmark cannot be built; this organism will not evolve');
      }
      this.benches.set(s.name, bench);
    }
    this.recorder = new FitnessRecorder({
      store: o.store,
      logbook: o.logbook,
      logger: o.logger,
      bench: (organism) => this.bench(organism),
      measureLive: o.config.evolve.fitness,
      delayMs: o.config.evolve.fitnessDelayMs,
    });
  }

  /** Clears what a previous process left in the benchmarks' folders and starts the recorder on every organism. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    for (const s of this.o.fleet.all()) {
      const bench = this.benches.get(s.name);
      if (!bench) continue;
      await bench.sweep();
      this.recorder.watch(s);
    }
  }

  /** Cancels the runs, stops the recorder and waits for what is in flight (at most the current organism run). */
  async stop(): Promise<void> {
    this.stopping.abort();
    const recorder = this.recorder.stop();
    for (const r of this.runs.values()) r.controller.abort();
    await Promise.allSettled([...[...this.runs.values()].map((r) => r.done), recorder]);
  }

  bench(organism: string): Bench | null {
    return this.benches.get(organism) ?? null;
  }

  /** The fitness of a genome for the API (null while not measured). */
  fitnessOf(genomeId: string): Fitness | null {
    return fitnessFromRow(this.o.store.getFitness(genomeId));
  }

  // ---- runs ----------------------------------------------------------------------------------------------

  defaults(): EvolutionView['defaults'] {
    const e = this.o.config.evolve;
    return { generations: e.generations, population: e.population, timeBudgetMs: e.timeBudgetMs, margin: e.margin };
  }

  availableSources(): SourceName[] {
    return SOURCE_NAMES.filter((n) => n !== 'llm' || this.client !== null);
  }

  /** Starts a run; throws a DomainError saying why when it cannot. */
  startRun(s: Supervisor, req: EvolveRequest): EvolutionProgress {
    const bench = this.benches.get(s.name);
    if (!bench) {
      throw new DomainError('NO_FITNESS', `Organism "${s.name}" defines no fitness (a "fitness" block in its manifest.json and benchmarkInputs in its harness), so it cannot evolve.`);
    }
    if (this.stopping.signal.aborted) throw new DomainError('SHUTTING_DOWN', 'The server is shutting down.');
    const current = this.runs.get(s.name);
    if (current) {
      throw new DomainError('EVOLUTION_RUNNING', `An evolution run of ${s.name} is in progress (generation ${current.progress.generation} of ${current.progress.settings.generations}). Wait for it, or cancel it with POST /organisms/${s.name}/evolve/cancel.`);
    }
    if (s.isPaused) throw new DomainError('PAUSED', `${s.name} is paused, so evolution is refused. Resume it with POST /resume first.`);
    const sources = req.sources ?? this.availableSources();
    if (sources.includes('llm') && this.client === null) {
      throw new DomainError('LLM_NOT_CONFIGURED', 'The "llm" source needs an LLM: set LLM_BASE_URL and LLM_MODEL, or ask for sources ["operators"].');
    }
    const d = this.defaults();
    const settings: RunSettings = {
      generations: req.generations ?? d.generations,
      population: req.population ?? d.population,
      timeBudgetMs: req.timeBudgetMs ?? d.timeBudgetMs,
      margin: req.margin ?? d.margin,
      sources: [...new Set(sources)],
      seed: req.seed ?? randomSeed(),
    };
    const progress: EvolutionProgress = newProgress({
      id: `${s.name}-${Date.now().toString(36)}-${settings.seed.toString(16)}`,
      organism: s.name,
      startedAt: new Date().toISOString(),
      settings,
      best: { genomeId: s.liveGenome.id, fitness: this.fitnessOf(s.liveGenome.id) },
    });
    const controller = new AbortController();
    const log = (level: 'info' | 'warn', text: string) => this.o.logbook.append(s.name, 'watcher', level, text);
    log('info', `evolution: run ${progress.id} started: ${settings.generations} generation(s) of ${settings.population}, ${settings.timeBudgetMs} ms, margin ${settings.margin}, sources ${settings.sources.join(' + ')}`);
    const client = this.client;
    const budget = this.budget;
    const done = runEvolution({
      settings,
      progress,
      rng: createRng(settings.seed),
      signal: controller.signal,
      live: () => s.liveGenome,
      waitReady: (deadline) => this.waitReady(s, deadline, controller.signal),
      measure: (source, opts) => bench.measure(source, opts),
      screen: (c, i, opts) => bench.screen(c, i, opts),
      measurePair: (c, i, opts) => bench.measurePair(c, i, opts),
      promote: (expected, c, fitness) => this.promote(s, expected, c, fitness),
      askLlm:
        client && budget && settings.sources.includes('llm')
          ? (versions, opts) =>
              askForFaster(
                {
                  client,
                  budget,
                  organism: s.name,
                  runId: progress.id,
                  contract: s.organism.manifest.contract,
                  benchmark: { gate: bench.gateOrder.map((i) => i.name), timed: bench.timed.map((i) => i.name), repeats: bench.repeats },
                },
                versions,
                opts,
              )
          : undefined,
      history: this.history(s.name, bench),
      log,
      onProgress: () => this.tellProgress(progress),
    })
      .catch((err: unknown) => {
        this.o.logger?.error({ err, organism: s.name }, 'the evolution run failed');
        log('warn', `evolution: the run failed: ${(err as Error).message}`);
      })
      .finally(() => {
        this.runs.delete(s.name);
        log('info', `evolution: run ${progress.id} ${progress.state}: ${progress.endReason ?? ''}; ${progress.candidatesTried} candidate(s) tried, ${progress.accepted} promoted`);
        try {
          this.o.store.insertEvent(s.name, 'evolution', progress.best.genomeId, { run: progress });
        } catch {
          // the store is closing with the server
        }
      });
    this.runs.set(s.name, { progress, controller, done });
    this.tellProgress(progress);
    return progress;
  }

  /** Listens to the progress of every run (the event stream); the progress object is the live one: read it at once. */
  onProgress(listener: (p: EvolutionProgress) => void): () => void {
    this.progressListeners.add(listener);
    return () => this.progressListeners.delete(listener);
  }

  private tellProgress(p: EvolutionProgress): void {
    for (const l of this.progressListeners) l(p);
  }

  /** Cancels the organism's run; resolves when it has stopped. Throws 409 when none is running. */
  async cancel(s: Supervisor): Promise<EvolutionProgress> {
    const run = this.runs.get(s.name);
    if (!run) throw new DomainError('NO_EVOLUTION_RUNNING', `No evolution run of ${s.name} is in progress.`);
    run.controller.abort();
    await run.done;
    return run.progress;
  }

  /** Resolves when the organism's current run (if any) has ended. */
  async settled(organism: string): Promise<void> {
    await this.runs.get(organism)?.done;
  }

  view(s: Supervisor): EvolutionView {
    const bench = this.benches.get(s.name) ?? null;
    const handle = this.runs.get(s.name);
    const last = handle ? null : ((this.o.store.lastEvent(s.name, 'evolution')?.detail.run as EvolutionProgress | undefined) ?? null);
    const run = handle?.progress ?? last;
    const live = s.liveGenome;
    const bestId = run?.best.genomeId ?? live.id;
    const { lineage, truncated } = this.lineage(this.o.store.getGenome(bestId) ? bestId : live.id, live.id);
    return {
      organism: s.name,
      available: bench !== null,
      unavailable: bench ? null : 'this organism defines no fitness (a "fitness" block in its manifest and benchmarkInputs in its harness)',
      running: handle !== undefined,
      sources: this.availableSources(),
      defaults: this.defaults(),
      run: run ? structuredClone(run) : null,
      live: { genomeId: live.id, generation: live.generation, fitness: this.fitnessOf(live.id) },
      lineage,
      lineageTruncated: truncated,
      runLlmSpend: run && this.client && this.o.ledger ? this.o.ledger.costOf(run.id) : null,
    };
  }

  private lineage(fromId: string, liveId: string): { lineage: LineageEntry[]; truncated: boolean } {
    const chain: GenomeRow[] = [];
    let id: string | null = fromId;
    while (id && chain.length < LINEAGE_MAX) {
      const g = this.o.store.getGenome(id);
      if (!g) break;
      chain.push(g);
      id = g.parentId;
    }
    const fitness = this.o.store.fitnessOf(chain.map((g) => g.id));
    return {
      lineage: chain.map((g) => ({
        id: g.id,
        generation: g.generation,
        parentId: g.parentId,
        cause: g.cause,
        summary: g.summary,
        createdAt: g.createdAt,
        live: g.id === liveId,
        healthy: g.healthy,
        fitness: fitnessFromRow(fitness.get(g.id)),
      })),
      truncated: id !== null,
    };
  }

  /** Past genomes with a passing fitness on this benchmark, one per source, fastest first: the LLM sees the best few. */
  private history(organism: string, bench: Bench): Member[] {
    const out: Member[] = [];
    const seen = new Set<string>();
    for (const g of this.o.store.listGenomes(organism, 200, 0)) {
      if (seen.has(g.sourceHash)) continue;
      const f = fitnessFromRow(this.o.store.getFitness(g.id));
      if (!f || f.gate !== 'passed' || f.benchmark !== bench.fingerprint) continue;
      seen.add(g.sourceHash);
      out.push({ source: g.source, hash: sourceHash(g.source), fitness: f, genomeId: g.id });
    }
    return out.sort((a, b) => a.fitness.timeMs - b.fitness.timeMs).slice(0, 3);
  }

  private async waitReady(s: Supervisor, deadline: number, signal: AbortSignal): Promise<string | null> {
    for (;;) {
      if (signal.aborted) return 'cancelled';
      const why = s.isPaused ? 'the organism is paused' : s.isHealing ? 'a heal is in progress' : s.state !== 'healthy' ? `the organism is ${s.state}` : null;
      if (why === null) return null;
      if (Date.now() >= deadline) return `${why}, and the time budget ran out waiting for it to be healthy`;
      await sleep(Math.min(READY_POLL_MS, Math.max(1, deadline - Date.now())));
    }
  }

  private async promote(
    s: Supervisor,
    expectedLiveId: string,
    c: { source: string; summary: string; detail: Record<string, unknown> },
    fitness: PassedFitness,
  ): Promise<{ genomeId: string; generation: number } | { refused: string }> {
    if (s.isHealing) return { refused: 'a heal is in progress' };
    if (s.isPaused) return { refused: 'the organism is paused' };
    // Faster is worth nothing wrong: the candidate passes the organism's whole verification suite first (the
    // benchmark's gate holds its edge cases, not its property inputs nor its regression set).
    const v = await s.verifier.verify(c.source, { signal: this.stopping.signal });
    if (!v.passed) {
      const f = v.failure;
      return { refused: f ? `it fails its verification suite on ${f.case.name}: ${f.result.verdict}${f.result.error ? ` (${f.result.error})` : ''}` : 'its verification was cancelled' };
    }
    if (s.desk.proposing) {
      // HEAL_MODE=propose: a faster genome waits for a person like a repair does; approving it promotes it (cause evolve).
      const base = s.liveGenome;
      if (base.id !== expectedLiveId) return { refused: 'the live genome changed before the promotion could land (compare-and-swap)' };
      const verification = { passed: true, size: v.size, runs: v.runs, timeMs: v.timeMs, reused: v.reused };
      const p = s.desk.propose({ kind: 'evolve', base, source: c.source, strategy: 'evolution', summary: c.summary, detail: { ...c.detail, verification } });
      return { refused: `it waits for approval as proposal #${p.id} (HEAL_MODE=propose)` };
    }
    const release = this.recorder.expect(s.name, sourceHash(c.source), fitness);
    try {
      const row = await s.promoteCandidate(expectedLiveId, { source: c.source, cause: 'evolve', summary: c.summary, detail: c.detail });
      if (!this.o.store.getFitness(row.id)) this.recorder.record(row.id, fitness);
      return { genomeId: row.id, generation: row.generation };
    } catch (err) {
      if (err instanceof StaleLiveGenomeError) return { refused: 'the live genome changed before the promotion could land (compare-and-swap)' };
      throw err;
    } finally {
      release();
    }
  }
}
