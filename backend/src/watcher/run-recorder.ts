import type { Verdict } from '../domain.js';
import type { GenomeRow, RunRow } from '../genome/store.js';
import type { OrganismContext } from './context.js';
import type { GenomeRunResult } from './run-genome.js';
import { RunStats } from './stats.js';

/**
 * Stores every run of the organism and tells everyone of it: the run and detection events, the log, the statistics,
 * and the newest run, failure and judgement the status reads.
 */
export class RunRecorder {
  readonly stats: RunStats;
  private last: RunRow | null;
  private lastFailed: RunRow | null;
  /** The newest run of the live genome judged in this process: state is `verifying` until there is one. */
  private lastJudged: RunRow | null = null;

  constructor(
    private readonly c: OrganismContext,
    /** When this process started watching: only genomes promoted since are reported as detected. */
    private readonly startedAt: number,
  ) {
    const name = c.organism.name;
    this.stats = new RunStats(
      c.store.runAggregate(name),
      c.store.recentRuns(name, 1000).map((r) => r.durationMs),
    );
    this.last = c.store.lastRun(name);
    this.lastFailed = c.store.lastRun(name, true);
  }

  get lastRun(): RunRow | null {
    return this.last;
  }

  get lastFailure(): RunRow | null {
    return this.lastFailed;
  }

  /** The verdict of the newest run of `genomeId` judged in this process, or null. */
  verdictOf(genomeId: string): Verdict | null {
    return this.lastJudged?.genomeId === genomeId ? this.lastJudged.verdict : null;
  }

  /** Stores a run of `genome`: a routine run, or the verification case it failed on. */
  record(genome: GenomeRow, result: GenomeRunResult, suiteCase: string | null, verification: boolean): RunRow {
    const { store, events, say } = this.c;
    const organism = this.c.organism.name;
    const row = store.insertRun({
      organism,
      genomeId: genome.id,
      generation: genome.generation,
      seed: result.seed,
      startedAt: result.startedAt,
      durationMs: result.durationMs,
      exitCode: result.exitCode,
      signal: result.signal,
      verdict: result.verdict,
      error: result.error,
      trial: false,
      suiteCase,
    });
    this.stats.record(row.verdict, row.durationMs);
    events.emit('run', { organism, verdict: row.verdict, durationMs: row.durationMs, generation: row.generation, run: row });
    // Only for genomes promoted while this process watched: the first failing verdict on them is a detection (the case
    // its suite failed on, or a routine run).
    const firstVerdict = this.lastJudged?.genomeId !== genome.id || verification;
    const newHere = Date.parse(genome.createdAt) >= this.startedAt;
    if (row.verdict !== 'ok' && firstVerdict && newHere) {
      const detectMs = Date.parse(result.startedAt) + row.durationMs - Date.parse(genome.createdAt);
      events.emit('detected', { organism, cause: genome.cause, verdict: row.verdict, detectMs: Math.max(0, detectMs) });
    }
    this.last = row;
    this.lastJudged = row;
    if (row.verdict !== 'ok') this.lastFailed = row;
    for (const line of result.progress) say('organism', 'info', line);
    const name = suiteCase ? ` on ${suiteCase}` : '';
    const summary = `run #${row.number} gen ${row.generation}${name}: ${row.verdict} in ${Math.round(row.durationMs)} ms`;
    say('watcher', row.verdict === 'ok' ? 'info' : 'error', row.error ? `${summary}: ${row.error}` : summary);
    this.c.noteStateChange();
    return row;
  }
}
