/** Chaos on a clock: one injection every tick, round robin over the organisms and, per round, the chaos types. */
import { createRng } from '../../src/lib/rng.js';

export interface ChaosRecord {
  organism: string;
  type: string;
  seed: number;
  genomeId: string;
  generation: number;
  at: number;
}

export interface ChaosTally {
  ticks: number;
  /** Ticks skipped because MAX_IN_FLIGHT injections were still unanswered (the server was slow). */
  skipped: number;
  applied: ChaosRecord[];
  /** 409 answers by code: CHAOS_NOT_APPLICABLE (no place for that operator), BUSY, PAUSED. */
  refused: Record<string, number>;
  /** Anything else: a 5xx, a 429, a connection error. Each is a failure. */
  failures: string[];
  /** How long each answered request took, in ms (an injection waits for the organism's other promotions). */
  answerMs: number[];
}

const MAX_IN_FLIGHT = 8;
/**
 * A chaos request waits its turn behind the organism's other promotions (chaos, heals, outside edits), each two
 * fsyncs and a durable commit: on two saturated cores the server itself timed answers of up to 15 s.
 */
const REQUEST_TIMEOUT_MS = 30_000;

export interface ChaosLoop {
  tally: ChaosTally;
  /** Stops ticking and waits for the injections in flight. */
  stop(): Promise<ChaosTally>;
}

export function startChaos(base: string, organisms: readonly string[], types: readonly string[], everyMs: number, seed: number): ChaosLoop {
  const rng = createRng(seed);
  const tally: ChaosTally = { ticks: 0, skipped: 0, applied: [], refused: {}, failures: [], answerMs: [] };
  const inFlight = new Set<Promise<void>>();
  let tick = 0;
  const startedAt = Date.now();
  const fire = () => {
    const i = tick++;
    tally.ticks++;
    if (inFlight.size >= MAX_IN_FLIGHT) {
      tally.skipped++;
      return;
    }
    const organism = organisms[i % organisms.length]!;
    const type = types[Math.floor(i / organisms.length) % types.length]!;
    const chaosSeed = rng.int(0, 0xffffffff);
    const sentAt = Date.now();
    const p = fetch(`${base}/organisms/${organism}/chaos`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ chaos_type: type, seed: chaosSeed }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    })
      .then(async (res) => {
        tally.answerMs.push(Date.now() - sentAt);
        const body = (await res.json().catch(() => ({}))) as { genomeId?: string; generation?: number; code?: string; message?: string };
        if (res.status === 200 && body.genomeId && typeof body.generation === 'number') {
          tally.applied.push({ organism, type, seed: chaosSeed, genomeId: body.genomeId, generation: body.generation, at: Date.now() });
        } else if (res.status === 409) {
          const code = body.code ?? '409';
          tally.refused[code] = (tally.refused[code] ?? 0) + 1;
        } else {
          tally.failures.push(`${organism} ${type}: ${res.status} ${body.code ?? ''} ${body.message ?? ''}`.trim());
        }
      })
      .catch((err: Error) => {
        // fetch's "fetch failed" says nothing by itself: the socket error is its cause.
        const cause = (err as { cause?: { code?: string; message?: string } }).cause;
        const why = cause ? ` (${[cause.code, cause.message].filter(Boolean).join(' ')})` : '';
        const when = `sent at ${((sentAt - startedAt) / 1000).toFixed(1)} s, failed after ${Date.now() - sentAt} ms`;
        tally.failures.push(`${organism} ${type}: ${err.name}: ${err.message}${why} (${when})`);
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  };
  const timer = setInterval(fire, everyMs);
  return {
    tally,
    async stop() {
      clearInterval(timer);
      await Promise.all([...inFlight]);
      return tally;
    },
  };
}
