/**
 * A warm host: one batch host process (host-source.ts) per organism, started for its live genome and kept while that
 * genome stays live, that runs each routine run in a fresh vm context of its own: about a millisecond a run where a
 * process costs a chain of forks and execs and a Node start (70-100 ms of a core on a 2-vCPU VM, see BENCHMARKS.md's
 * Capacity). It is the same sandboxed process as any run (every layer, started by the spawner through
 * Runner.open); only its stdin stays open, one job per line, and it lives for many runs.
 *
 * Nothing here decides what a run's outcome means: the caller (watcher/live-judge.ts) counts a pass, and a hang that
 * ran its whole time limit, and runs anything else again as a real process. This answers null whenever it has no
 * answer to give (the host is starting, busy, gone, or the input needed more than a context offers), and the caller
 * then runs a process as it always did: a warm host can only ever save a process, never lose a run.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { ScratchDir } from '../../files/scratch.js';
import { prepareRunFile } from '../../sandbox/prepare.js';
import { organismNice, processRunner } from '../process-runner.js';
import type { RunSession } from '../runner.js';
import { BATCH_HOST_SOURCE } from './host-source.js';
import { parseReports, reportOutcome, type BatchJob, type BatchOutcome } from './protocol.js';
import type { HostLimits } from './run-batch.js';

export interface WarmHostOptions extends HostLimits {
  /** Where the host's file and the genome's copy live while the host does (the organism's run directory). */
  scratch: Pick<ScratchDir, 'withFile'>;
  organism: string;
  /** A host is replaced after this long (default 10 min), so that its CPU-time limit is one of a run's kind. */
  lifetimeMs?: number;
  /** A host with no run for this long exits (default 60 s): a paused organism holds no process. */
  idleMs?: number;
}

/** What the host's side of the protocol ends each job with. */
const endOf = (token: string) => JSON.stringify({ t: token, end: true });
/** Time a host has to answer beyond its case's own limit before it counts as wedged and is killed. */
const ANSWER_MARGIN_MS = 5000;
/** Hosts of one genome that may end unasked before that genome's runs go to processes only. */
const MAX_UNASKED_ENDS = 2;

interface Host {
  source: string;
  ready: boolean;
  busy: boolean;
  gone: boolean;
  startedAt: number;
  session: RunSession;
  /** The token awaited, the lines read since the last job ended, and its resolver. */
  waiting: { token: string; cases: number; resolve: (r: BatchOutcome | null) => void; timer: NodeJS.Timeout } | null;
  lines: string[];
  partial: string;
  idle: NodeJS.Timeout | null;
  closedByUs: boolean;
  /** The genome's copy and the host's own file, while it lives. */
  files: { genome: string; host: string };
}

/** One organism's warm host. */
export class WarmHost {
  private host: Host | null = null;
  private readonly lifetimeMs: number;
  private readonly idleMs: number;
  /** Hosts that ended unasked (died, were killed), by genome source: a genome that kills its host runs as processes. */
  private readonly unasked = new Map<string, number>();
  private closed = false;
  /** Runs answered in a context, and the starts of a host (for tests and the log). */
  readonly counts = { answered: 0, started: 0 };

  constructor(private readonly o: WarmHostOptions) {
    this.lifetimeMs = o.lifetimeMs ?? 600_000;
    this.idleMs = o.idleMs ?? 60_000;
  }

  /** Whether this machine's runner can hold a host (RUNNER=bullmq's cannot: its runs are elsewhere). */
  static available(): boolean {
    const r = processRunner();
    return r.local === true && typeof r.open === 'function';
  }

  /**
   * The genome's run on `stdin` in a fresh context of its warm host, or null when the host has no answer now (it is
   * starting for this genome, busy, gone, or the input reached past what a context offers). Starts the host for
   * `source` when there is none, without waiting for it.
   */
  run(source: string, stdin: string): Promise<BatchOutcome | null> {
    const h = this.hostFor(source);
    if (!h || !h.ready || h.busy || h.gone) return Promise.resolve(null);
    if (Date.now() - h.startedAt > this.lifetimeMs - 2 * (this.o.timeLimitMs + ANSWER_MARGIN_MS)) {
      // Replaced before its time limit can cut a run short; this run goes to a process.
      this.retire(h);
      return Promise.resolve(null);
    }
    h.busy = true;
    if (h.idle) clearTimeout(h.idle);
    const token = randomBytes(16).toString('hex');
    return new Promise<BatchOutcome | null>((resolve) => {
      const timer = setTimeout(() => {
        // A context is bounded by its time limit: a host this late is wedged.
        this.retire(h);
        finish(null);
      }, this.o.timeLimitMs + ANSWER_MARGIN_MS);
      const finish = (r: BatchOutcome | null) => {
        clearTimeout(timer);
        h.waiting = null;
        h.busy = false;
        if (!h.gone) this.armIdle(h);
        if (r) this.counts.answered++;
        resolve(r);
      };
      h.waiting = { token, cases: 1, resolve: finish, timer };
      h.lines = [];
      h.session.write(`${JSON.stringify(this.job(h, token, [stdin]))}\n`);
    });
  }

  /** Ends the host (its stdin closes, and it exits). */
  async close(): Promise<void> {
    this.closed = true;
    const h = this.host;
    this.host = null;
    if (h) {
      this.retire(h);
      await h.session.done.catch(() => undefined);
    }
  }

  /** A job for `h`: every one names the genome's copy, which the host compiles at its first case. */
  private job(h: Pick<Host, 'files'>, token: string, cases: string[]): BatchJob {
    return {
      token,
      genome: h.files.genome,
      host: h.files.host,
      cases,
      timeLimitMs: this.o.timeLimitMs,
      maxOldSpaceMb: this.o.maxOldSpaceMb,
      outputCapBytes: this.o.outputCapBytes,
      outputKillBytes: this.o.outputKillBytes,
      parallelism: 1,
      contexts: true,
    };
  }

  /** The host of `source`: the current one, or a new one started now (the old one retired), or none. */
  private hostFor(source: string): Host | null {
    if (this.closed || !WarmHost.available()) return null;
    const h = this.host;
    if (h && h.source === source && !h.gone) return h;
    if (h) this.retire(h);
    this.host = null;
    if ((this.unasked.get(source) ?? 0) >= MAX_UNASKED_ENDS) return null;
    // Only the live genome's count matters: the others are gone from the organism.
    for (const k of this.unasked.keys()) if (k !== source) this.unasked.delete(k);
    this.host = this.start(source);
    return this.host;
  }

  private start(source: string): Host | null {
    const o = this.o;
    let h: Host | null = null;
    const ready = `ready-${randomBytes(8).toString('hex')}`;
    let markOpened!: (s: RunSession | null) => void;
    const opened = new Promise<RunSession | null>((resolve) => (markOpened = resolve));
    // The genome's copy and the host's file live as long as the host: both are scratch files of the run directory.
    const life = o.scratch
      .withFile(source, (genome) =>
        o.scratch.withFile(BATCH_HOST_SOURCE, async (file) => {
          if (o.sandbox) prepareRunFile(o.sandbox, genome);
          const session = processRunner().open!(
            {
              file,
              cwd: path.dirname(genome),
              // The first line: a job of no case, answered once the host reads its stdin.
              stdin: `${JSON.stringify(this.job({ files: { genome, host: file } }, ready, []))}\n`,
              timeLimitMs: this.lifetimeMs,
              cpuSeconds: Math.ceil(this.lifetimeMs / 1000) + 1,
              maxOldSpaceMb: o.maxOldSpaceMb,
              outputCapBytes: o.outputCapBytes,
              outputKillBytes: o.outputKillBytes,
              killGraceMs: o.killGraceMs,
              allowFsRead: [genome],
              ...(o.sandbox ? { sandbox: o.sandbox } : {}),
              ...(organismNice() ? { nice: organismNice() } : {}),
              organism: o.organism,
            },
            (text) => h && this.read(h, text),
          );
          if (h) h.files = { genome, host: file };
          markOpened(session);
          await session.done.catch(() => undefined);
        }),
      )
      .catch(() => markOpened(null));
    this.counts.started++;
    h = {
      source,
      ready: false,
      busy: true,
      gone: false,
      startedAt: Date.now(),
      // Replaced as soon as the session exists; until then a write has nowhere to go, and none is made (busy).
      session: { write: () => {}, end: () => {}, done: life.then(() => undefined as never) },
      waiting: null,
      lines: [],
      partial: '',
      idle: null,
      closedByUs: false,
      files: { genome: '', host: '' },
    };
    const host = h;
    void opened.then((session) => {
      if (!session) {
        // Its files could not be written: the server's trouble, not the genome's. The next run tries again.
        host.closedByUs = true;
        return this.ended(host);
      }
      host.session = session;
      host.waiting = {
        token: ready,
        cases: 0,
        resolve: () => {
          host.waiting = null;
          host.ready = true;
          host.busy = false;
          this.armIdle(host);
        },
        timer: setTimeout(() => this.retire(host), 30_000),
      };
      void session.done.then(
        () => this.ended(host),
        () => this.ended(host),
      );
      if (host.closedByUs) session.end();
    });
    return h;
  }

  private read(h: Host, text: string): void {
    const all = h.partial + text;
    const lines = all.split('\n');
    h.partial = lines.pop() ?? '';
    for (const line of lines) {
      const w = h.waiting;
      if (!w) continue;
      if (line === endOf(w.token)) {
        clearTimeout(w.timer);
        const found = w.cases > 0 ? parseReports(h.lines.join('\n'), w.token, w.cases)[0] : null;
        h.lines = [];
        w.resolve(found ? reportOutcome(found, null) : null);
      } else h.lines.push(line);
    }
  }

  private armIdle(h: Host): void {
    if (h.idle) clearTimeout(h.idle);
    h.idle = setTimeout(() => this.retire(h), this.idleMs);
    h.idle.unref();
  }

  /** Ends a host on purpose: its stdin closes and it exits; a run it holds gets no answer. */
  private retire(h: Host): void {
    if (h.closedByUs) return;
    h.closedByUs = true;
    h.session.end();
    this.ended(h);
  }

  private ended(h: Host): void {
    if (h.gone) return;
    h.gone = true;
    if (h.idle) clearTimeout(h.idle);
    if (!h.closedByUs) this.unasked.set(h.source, (this.unasked.get(h.source) ?? 0) + 1);
    const w = h.waiting;
    h.waiting = null;
    if (w) {
      clearTimeout(w.timer);
      if (w.cases > 0) w.resolve(null);
    }
    if (this.host === h) this.host = null;
  }
}
