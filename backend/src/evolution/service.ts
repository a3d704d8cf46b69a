/**
 * Evolution for the whole server: one run per organism at a time (started, cancelled and reported through the
 * routes), and the fitness recorder, which measures every genome that becomes live, in the background, one at a
 * time per organism and never on the watcher's loop.
 *
 * Every measurement of the server (recorder and runs alike) takes one lock, so no two measurements time each
 * other's load. Candidate files live in DATA_DIR/organisms/<name>/evolve; runs go through the same sandbox as
 * the organism's own runs.
 */
import path from 'node:path';
import { sourceHash } from '../lib/source-hash.js';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { DomainError } from '../errors.js';
import { StaleLiveGenomeError, type GenomeRow, type GenomeStore } from '../genome/store.js';
import { CallBudget } from '../llm/call-budget.js';
import { createChatClient, type ChatClient } from '../llm/client.js';
import { Mutex } from '../lib/mutex.js';
import { createRng, randomSeed } from '../lib/rng.js';
import type { Sandbox } from '../sandbox/types.js';
import type { Fleet } from '../watcher/fleet.js';
import type { LogBook } from '../watcher/logbook.js';
import type { Supervisor } from '../watcher/supervisor.js';
import { Bench, BenchCancelled } from './bench.js';
import { newProgress, runEvolution, SOURCE_NAMES, type EvolutionProgress, type Member, type RunSettings, type SourceName } from './engine.js';
import { describeFitness, fitnessFromRow, type Fitness, type PassedFitness } from './fitness.js';
import { askForFaster } from './llm.js';

export interface EvolutionServiceOptions {
  config: Config;
  store: GenomeStore;
  fleet: Fleet;
  logbook: LogBook;
  logger?: Logger;
  sandbox?: Sandbox | null;
  /** A chat client to use instead of one made from config.llm (tests). */
  chatClient?: ChatClient | null;
}

export interface EvolveRequest {
  generations?: number | undefined;
  population?: number | undefined;
  timeBudgetMs?: number | undefined;
  margin?: number | undefined;
  sources?: SourceName[] | undefined;
  seed?: number | undefined;
}

export interface LineageEntry {
  id: string;
  generation: number;
  parentId: string | null;
  cause: GenomeRow['cause'];
  summary: string;
  createdAt: string;
  live: boolean;
  /** Passed a run (or its heal's trial): an ancestor that held, not a chaos generation that failed. */
  healthy: boolean;
  fitness: Fitness | null;
}

export interface EvolutionView {
  organism: string;
  /** Whether the organism defines a fitness (else it cannot evolve), and why not. */
  available: boolean;
  unavailable: string | null;
  running: boolean;
  /** The sources a run may use here. */
  sources: SourceName[];
  defaults: Omit<RunSettings, 'seed' | 'sources'>;
  /** The current run, or the last one (kept across restarts). */
  run: EvolutionProgress | null;
  live: { genomeId: string; generation: number; fitness: Fitness | null };
  /** The best genome's ancestry, newest first: each with its cause and fitness (its diff: GET /genomes/:id). */
  lineage: LineageEntry[];
  lineageTruncated: boolean;
}

const LINEAGE_MAX = 30;
const RECORDER_SLACK = 5;
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
  /** Fitness measured by the run that promotes a genome, stored when the promotion lands. */
  private readonly presets = new Map<string, PassedFitness>();
  private readonly queues = new Map<string, string[]>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly draining = new Map<string, Promise<void>>();
  private readonly stopping = new AbortController();
  private readonly unsubscribe: (() => void)[] = [];
  private readonly progressListeners = new Set<(p: EvolutionProgress) => void>();
  private started = false;

  constructor(private readonly o: EvolutionServiceOptions) {
    const llm = o.config.llm;
    this.client = o.chatClient ?? (llm ? createChatClient({ baseUrl: llm.baseUrl, apiKey: llm.apiKey, model: llm.model, timeoutMs: llm.timeoutMs }) : null);
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
  }

  /** Subscribes to promotions and measures the live genomes that have no fitness yet. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    for (const s of this.o.fleet.all()) {
      const bench = this.benches.get(s.name);
      if (!bench) continue;
      await bench.sweep();
      const onPromoted = () => this.onPromoted(s);
      s.events.on('promoted', onPromoted);
      this.unsubscribe.push(() => s.events.off('promoted', onPromoted));
      if (this.o.config.evolve.fitness && !this.o.store.getFitness(s.liveGenome.id)) this.enqueue(s, s.liveGenome.id);
    }
  }

  /** Cancels the runs, stops the recorder and waits for what is in flight (at most the current organism run). */
  async stop(): Promise<void> {
    this.stopping.abort();
    for (const off of this.unsubscribe.splice(0)) off();
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const r of this.runs.values()) r.controller.abort();
    await Promise.allSettled([...[...this.runs.values()].map((r) => r.done), ...this.draining.values()]);
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
    const key = `${s.name}\0${sourceHash(c.source)}`;
    this.presets.set(key, fitness);
    try {
      const row = await s.promoteCandidate(expectedLiveId, { source: c.source, cause: 'evolve', summary: c.summary, detail: c.detail });
      if (!this.o.store.getFitness(row.id)) this.storeFitness(row.id, fitness);
      return { genomeId: row.id, generation: row.generation };
    } catch (err) {
      if (err instanceof StaleLiveGenomeError) return { refused: 'the live genome changed before the promotion could land (compare-and-swap)' };
      throw err;
    } finally {
      this.presets.delete(key);
    }
  }

  // ---- the fitness recorder ------------------------------------------------------------------------------

  private onPromoted(s: Supervisor): void {
    const g = s.liveGenome;
    const preset = this.presets.get(`${s.name}\0${g.sourceHash}`);
    if (preset && g.cause === 'evolve') {
      this.storeFitness(g.id, preset);
      return;
    }
    if (this.o.config.evolve.fitness) this.enqueue(s, g.id);
  }

  private storeFitness(genomeId: string, f: Fitness): void {
    try {
      this.o.store.setFitness({
        genomeId,
        measuredAt: f.measuredAt,
        gate: f.gate,
        timeMs: f.gate === 'passed' ? f.timeMs : null,
        codeSize: f.codeSize,
        benchmark: f.benchmark,
        data: f as unknown as Record<string, unknown>,
      });
    } catch (err) {
      if (!this.stopping.signal.aborted) throw err;
    }
  }

  private enqueue(s: Supervisor, genomeId: string): void {
    if (this.stopping.signal.aborted) return;
    const q = this.queues.get(s.name) ?? [];
    if (!q.includes(genomeId)) q.push(genomeId);
    this.queues.set(s.name, q);
    // Debounced: a burst of promotions (chaos, then its heal) is measured once it settles, the live genome first.
    clearTimeout(this.timers.get(s.name));
    const timer = setTimeout(() => {
      this.timers.delete(s.name);
      this.drain(s);
    }, this.o.config.evolve.fitnessDelayMs);
    timer.unref?.();
    this.timers.set(s.name, timer);
  }

  private drain(s: Supervisor): void {
    if (this.draining.has(s.name)) return;
    const work = (async () => {
      const q = this.queues.get(s.name) ?? [];
      while (q.length > 0 && !this.stopping.signal.aborted) {
        // The live genome first, then the others, newest first.
        const liveIndex = q.indexOf(s.liveGenome.id);
        const [id] = q.splice(liveIndex >= 0 ? liveIndex : q.length - 1, 1);
        if (id) await this.measureGenome(s, id);
      }
    })()
      .catch((err: unknown) => {
        if (!(err instanceof BenchCancelled) && !this.stopping.signal.aborted) this.o.logger?.error({ err, organism: s.name }, 'measuring a fitness failed');
      })
      .finally(() => {
        this.draining.delete(s.name);
        if ((this.queues.get(s.name)?.length ?? 0) > 0 && !this.stopping.signal.aborted) this.drain(s);
      });
    this.draining.set(s.name, work);
  }

  private async measureGenome(s: Supervisor, genomeId: string): Promise<void> {
    const bench = this.benches.get(s.name);
    if (!bench || this.o.store.getFitness(genomeId)) return;
    const g = this.o.store.getGenome(genomeId);
    if (!g) return;
    const known = this.o.store.fitnessBySource(s.name, g.sourceHash, bench.fingerprint);
    if (known) {
      this.storeFitness(g.id, { ...(known.data as unknown as Fitness), reusedFrom: known.genomeId });
      return;
    }
    // Let a heal have the machine: its trials are what brings the organism back.
    const waitUntil = Date.now() + 60_000;
    while (s.isHealing && Date.now() < waitUntil && !this.stopping.signal.aborted) await sleep(READY_POLL_MS);
    // A timed run may take RECORDER_SLACK times the organism's last measured time (at least a second and a half):
    // chaos that makes a genome crawl must not hold a core, or the server's shutdown, for the full limit.
    const reference = fitnessFromRow(this.o.store.lastPassingFitness(s.name, bench.fingerprint));
    const limits = reference?.gate === 'passed' ? new Map(reference.inputs.map((i) => [i.name, Math.max(1500, RECORDER_SLACK * i.medianMs)])) : undefined;
    const m = await bench.measure(g.source, { signal: this.stopping.signal, ...(limits ? { timeLimitsMs: limits } : {}) });
    const fitness = m.fitness ?? bench.gaveUpAsFailed(g.source, m, `${RECORDER_SLACK} times the organism's last measured time`);
    this.storeFitness(g.id, fitness);
    this.o.logbook.append(s.name, 'watcher', 'info', `fitness of generation ${g.generation} (${g.cause}): ${describeFitness(fitness)}`);
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
