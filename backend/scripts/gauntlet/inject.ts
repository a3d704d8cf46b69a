/**
 * One injection, watched from outside through the API: wait until the organism is healthy, corrupt it, then
 * follow its runs until the corruption is detected and healed, shown equivalent, or the deadline passes.
 */
import { ApiError, type ChaosResponse, type OrganismClient, type Run, type Verdict } from './client.js';

export type Outcome =
  /** Detected, then a genome made by the healer passed a run. */
  | 'healed'
  /** Detected, and no healed genome passed before the deadline. */
  | 'not-healed'
  /** The chaos generation's first K runs all passed: the corruption changed nothing observable. */
  | 'equivalent'
  /** Neither a failing run nor K passing runs of the chaos generation before the deadline. */
  | 'undetected'
  /** The operator found no place in the live genome (409 CHAOS_NOT_APPLICABLE). */
  | 'not-applicable'
  /** The organism was not healthy before the injection, even after a rollback. */
  | 'skipped';

export interface InjectionPlan {
  round: number;
  organism: string;
  type: string;
  seed: number;
}

export interface InjectionRecord extends InjectionPlan {
  outcome: Outcome;
  chaos?: { line: number; description: string; expect: Verdict[]; generation: number; genomeId: string };
  /** The verdict of the run that detected the corruption, and whether the operator promised it. */
  verdict?: Verdict;
  promised?: boolean;
  /** From the chaos response to the end of the detecting run. */
  detectMs?: number;
  /** From the end of the detecting run to the end of the first passing run of a healed genome. */
  healMs?: number;
  healed?: { genomeId: string; generation: number; summary: string };
  /** The live genome when the injection ended (for what was left behind). */
  liveGenomeId?: string;
  note?: string;
}

export interface InjectOptions {
  equivalentAfter: number;
  deadlineMs: number;
  settleMs: number;
  pollMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const endOf = (run: Run): number => Date.parse(run.startedAt) + run.durationMs;

/** Healthy and proven: the live genome's own newest run passed. */
async function waitHealthy(org: OrganismClient, timeoutMs: number, pollMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await org.status();
    if (s.state === 'healthy' && s.lastRun?.genomeId === s.genomeId && s.lastRun.verdict === 'ok') return true;
    if (Date.now() > deadline) return false;
    await sleep(pollMs);
  }
}

/** Puts the newest healthy genome back, so one failed injection does not spoil the ones after it. */
export async function recover(org: OrganismClient): Promise<string | null> {
  const genomes = await org.genomes(100, 0);
  const target = genomes.genomes.find((g) => g.healthy && !g.live);
  if (!target) return null;
  await org.rollback(target.id).catch(() => {});
  return target.id;
}

async function injectChaos(org: OrganismClient, type: string, seed: number): Promise<ChaosResponse | 'not-applicable'> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await org.chaos(type, seed);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'CHAOS_NOT_APPLICABLE') return 'not-applicable';
      // BUSY: another change to the genome (a heal finishing) is in progress; it clears in a moment.
      if (err instanceof ApiError && err.status === 409 && attempt < 20) {
        await sleep(100);
        continue;
      }
      throw err;
    }
  }
}

export async function inject(org: OrganismClient, plan: InjectionPlan, o: InjectOptions): Promise<InjectionRecord> {
  const pollMs = o.pollMs ?? 50;
  const record: InjectionRecord = { ...plan, outcome: 'skipped' };
  if (!(await waitHealthy(org, o.settleMs, pollMs))) {
    const to = await recover(org);
    if (!(await waitHealthy(org, o.settleMs, pollMs))) {
      record.note = `not healthy within ${o.settleMs} ms${to ? `, even after a rollback to ${to}` : ''}`;
      record.liveGenomeId = (await org.status()).genomeId;
      return record;
    }
  }
  let cursor = await org.lastRunId();
  const chaos = await injectChaos(org, plan.type, plan.seed);
  const t0 = Date.now();
  if (chaos === 'not-applicable') {
    record.outcome = 'not-applicable';
    return record;
  }
  record.chaos = { line: chaos.line, description: chaos.description, expect: chaos.expect, generation: chaos.generation, genomeId: chaos.genomeId };
  let okBefore = 0;
  let detected: Run | null = null;
  const deadline = t0 + o.deadlineMs;
  const causes = new Map<string, { cause: string; summary: string }>();
  for (;;) {
    for (const run of await org.runsSince(cursor)) {
      cursor = run.id;
      if (!detected && run.genomeId === chaos.genomeId) {
        if (run.verdict !== 'ok') {
          detected = run;
          record.verdict = run.verdict;
          record.promised = chaos.expect.includes(run.verdict);
          record.detectMs = Math.max(0, Math.round(endOf(run) - t0));
        } else if (++okBefore >= o.equivalentAfter) {
          record.outcome = 'equivalent';
          record.liveGenomeId = chaos.genomeId;
          return record;
        }
        continue;
      }
      if (detected && run.generation > chaos.generation && run.verdict === 'ok') {
        if (!causes.has(run.genomeId)) {
          const g = await org.genome(run.genomeId);
          causes.set(run.genomeId, { cause: g.cause, summary: g.summary });
        }
        const made = causes.get(run.genomeId)!;
        if (made.cause === 'heal') {
          record.outcome = 'healed';
          record.healMs = Math.max(0, Math.round(endOf(run) - endOf(detected)));
          record.healed = { genomeId: run.genomeId, generation: run.generation, summary: made.summary };
          record.liveGenomeId = run.genomeId;
          return record;
        }
        record.note = `generation ${run.generation} passed, but it was made by ${made.cause}, not by a heal`;
      }
    }
    if (Date.now() > deadline) break;
    await sleep(pollMs);
  }
  const s = await org.status();
  record.liveGenomeId = s.genomeId;
  if (detected) {
    record.outcome = 'not-healed';
    record.note ??= `still ${s.state} at generation ${s.generation} (${s.genomeId}) after ${o.deadlineMs} ms`;
  } else {
    record.outcome = 'undetected';
    record.note = `${okBefore} passing run(s) and no failing one within ${o.deadlineMs} ms`;
  }
  return record;
}
