/**
 * The fitness recorder: measures every genome that becomes live, in the background, one at a time per organism and
 * never on the watcher's loop. A burst of promotions (chaos, then its heal) is measured once it settles, the live
 * genome first. A genome an evolution run promoted keeps the fitness that run measured (see expect()).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { GenomeStore } from '../genome/store.js';
import type { LogBook } from '../watcher/logbook.js';
import type { Supervisor } from '../watcher/supervisor.js';
import { BenchCancelled, type Bench } from './bench.js';
import { describeFitness, fitnessFromRow, type Fitness, type PassedFitness } from './fitness.js';

export interface FitnessRecorderOptions {
  store: GenomeStore;
  logbook: LogBook;
  logger?: Logger | undefined;
  /** The organism's benchmark; null when it defines no fitness. */
  bench: (organism: string) => Bench | null;
  /** Measure every genome that becomes live (EVOLVE_FITNESS); without it only evolution's own measurements are kept. */
  measureLive: boolean;
  /** How long promotions must settle before the queue is measured. */
  delayMs: number;
}

/** A timed run may take this many times the organism's last measured time (at least MIN_LIMIT_MS). */
const RECORDER_SLACK = 5;
const MIN_LIMIT_MS = 1500;
const HEAL_WAIT_MS = 60_000;
const HEAL_POLL_MS = 100;

export class FitnessRecorder {
  private readonly presets = new Map<string, PassedFitness>();
  private readonly queues = new Map<string, string[]>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly draining = new Map<string, Promise<void>>();
  private readonly stopping = new AbortController();
  private readonly unsubscribe: (() => void)[] = [];

  constructor(private readonly o: FitnessRecorderOptions) {}

  /** Follows the organism's promotions, and measures its live genome now if it has no fitness yet. */
  watch(s: Supervisor): void {
    const onPromoted = () => this.onPromoted(s);
    s.events.on('promoted', onPromoted);
    this.unsubscribe.push(() => s.events.off('promoted', onPromoted));
    if (this.o.measureLive && !this.o.store.getFitness(s.liveGenome.id)) this.enqueue(s, s.liveGenome.id);
  }

  /** Stops following promotions and waits for the measurement in flight, which the stop cancels. */
  async stop(): Promise<void> {
    this.stopping.abort();
    for (const off of this.unsubscribe.splice(0)) off();
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled(this.draining.values());
  }

  /**
   * A promotion of this source is about to land with a fitness already measured: the recorder stores that one
   * instead of measuring again. Call the returned function once the promotion has landed or failed.
   */
  expect(organism: string, sourceHash: string, fitness: PassedFitness): () => void {
    const key = `${organism}\0${sourceHash}`;
    this.presets.set(key, fitness);
    return () => this.presets.delete(key);
  }

  /** Stores a genome's fitness (ignored once the server is stopping and the store may be closed). */
  record(genomeId: string, f: Fitness): void {
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

  private onPromoted(s: Supervisor): void {
    const g = s.liveGenome;
    const preset = this.presets.get(`${s.name}\0${g.sourceHash}`);
    if (preset && g.cause === 'evolve') {
      this.record(g.id, preset);
      return;
    }
    if (this.o.measureLive) this.enqueue(s, g.id);
  }

  private enqueue(s: Supervisor, genomeId: string): void {
    if (this.stopping.signal.aborted) return;
    const q = this.queues.get(s.name) ?? [];
    if (!q.includes(genomeId)) q.push(genomeId);
    this.queues.set(s.name, q);
    clearTimeout(this.timers.get(s.name));
    const timer = setTimeout(() => {
      this.timers.delete(s.name);
      this.drain(s);
    }, this.o.delayMs);
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
    const bench = this.o.bench(s.name);
    if (!bench || this.o.store.getFitness(genomeId)) return;
    const g = this.o.store.getGenome(genomeId);
    if (!g) return;
    const known = this.o.store.fitnessBySource(s.name, g.sourceHash, bench.fingerprint);
    if (known) {
      this.record(g.id, { ...(known.data as unknown as Fitness), reusedFrom: known.genomeId });
      return;
    }
    // Let a heal have the machine: its trials are what brings the organism back.
    const waitUntil = Date.now() + HEAL_WAIT_MS;
    while (s.isHealing && Date.now() < waitUntil && !this.stopping.signal.aborted) await sleep(HEAL_POLL_MS);
    // Chaos that makes a genome crawl must not hold a core, or the server's shutdown, for the full time limit.
    const reference = fitnessFromRow(this.o.store.lastPassingFitness(s.name, bench.fingerprint));
    const limits =
      reference?.gate === 'passed' ? new Map(reference.inputs.map((i) => [i.name, Math.max(MIN_LIMIT_MS, RECORDER_SLACK * i.medianMs)])) : undefined;
    const m = await bench.measure(g.source, { signal: this.stopping.signal, ...(limits ? { timeLimitsMs: limits } : {}) });
    const fitness = m.fitness ?? bench.gaveUpAsFailed(g.source, m, `${RECORDER_SLACK} times the organism's last measured time`);
    this.record(g.id, fitness);
    this.o.logbook.append(s.name, 'watcher', 'info', `fitness of generation ${g.generation} (${g.cause}): ${describeFitness(fitness)}`);
  }
}
