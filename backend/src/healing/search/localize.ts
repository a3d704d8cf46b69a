/**
 * Fault localization for the search rung: which lines of a failing genome to edit first. Pure: a crash's stack, or the
 * line coverage of passing and failing runs (instrument.ts), in; a ranking of lines out.
 */

export interface LineScore {
  line: number;
  score: number;
}

export interface Ranking {
  /** `stack`: the crash's own frames; `ochiai`: spectrum-based over covered lines; `none`: every line alike. */
  method: 'stack' | 'ochiai' | 'none';
  /** Lines with a score above zero, best first (ties in source order). */
  lines: LineScore[];
}

/** One run of the suite on the failing genome: did it pass, and which lines ran. */
export interface Spectrum {
  passed: boolean;
  lines: ReadonlySet<number>;
}

/**
 * How much a line near a crashing frame counts, per line of distance. The fault is often a few lines before the frame
 * (the guard that let an undefined through), seldom after it.
 */
const NEAR_DECAY = 0.5;
const LINES_BEFORE = 4;

/**
 * The lines of the genome's own stack frames in a crash's stderr, innermost first. Any file frame that is not Node's
 * own (`node:`) is the genome's: an organism is one file and may only load Node's modules.
 */
export function stackLines(stderr: string): number[] {
  const out: number[] = [];
  // `    at f (/x/y.js:12:5)`, `    at /x/y.js:12:5`, and Node's first line of an uncaught error, `/x/y.js:12`.
  const frame = /(?:^|\(|\bat )((?:\/|[A-Za-z]:\\|file:\/\/)[^\s():]+\.[cm]?js):(\d+)(?::\d+)?/gm;
  for (const m of stderr.matchAll(frame)) {
    const line = Number(m[2]);
    if (line > 0 && !out.includes(line)) out.push(line);
  }
  return out;
}

/** How much an origin of the innermost frame's values counts (origins.ts): after the frame, before its neighbours. */
const ORIGIN_SCORE = 0.75;

/**
 * A crash's ranking: each frame's line, innermost first, then the lines just before it and the one after. `origins`
 * (origins.ts), the earlier lines that declare, assign or test what the innermost frame's line reads, come right after
 * that line.
 */
export function stackRanking(frames: readonly number[], lineCount: number, origins: readonly number[] = []): Ranking {
  const scores = new Map<number, number>();
  const add = (line: number, score: number) => {
    if (line < 1 || line > lineCount) return;
    scores.set(line, Math.max(scores.get(line) ?? 0, score));
  };
  if (frames.length > 0) for (const line of origins) add(line, ORIGIN_SCORE);
  frames.forEach((line, k) => {
    const base = 1 / (k + 1);
    add(line, base);
    for (let d = 1; d <= LINES_BEFORE; d++) add(line - d, base * NEAR_DECAY ** d);
    add(line + 1, base * NEAR_DECAY ** 2);
  });
  return { method: 'stack', lines: sortScores(scores) };
}

/** How much a line the failing input never ran keeps of its score: an edit there cannot change that run's outcome. */
const UNRUN_FACTOR = 0.01;

/** A ranking with the lines the failing run did not run after all those it ran, each in the order it had. */
export function demoteUnrun(ranking: Ranking, ran: ReadonlySet<number>): Ranking {
  const scores = new Map(ranking.lines.map((l) => [l.line, ran.has(l.line) ? l.score : l.score * UNRUN_FACTOR]));
  return { method: ranking.method, lines: sortScores(scores) };
}

/**
 * Ochiai's suspiciousness of each line: failing runs that cover it, over the root of (all failing runs) times (all runs
 * that cover it). A line every failing run covers and no passing run does scores 1.
 */
export function ochiaiRanking(spectra: readonly Spectrum[]): Ranking {
  const failing = spectra.filter((s) => !s.passed).length;
  const ef = new Map<number, number>();
  const ep = new Map<number, number>();
  for (const s of spectra) {
    const into = s.passed ? ep : ef;
    for (const line of s.lines) into.set(line, (into.get(line) ?? 0) + 1);
  }
  const scores = new Map<number, number>();
  for (const [line, f] of ef) {
    const score = f / Math.sqrt(failing * (f + (ep.get(line) ?? 0)));
    if (score > 0) scores.set(line, score);
  }
  return { method: 'ochiai', lines: sortScores(scores) };
}

function sortScores(scores: Map<number, number>): LineScore[] {
  return [...scores].map(([line, score]) => ({ line, score: Math.round(score * 1000) / 1000 })).sort((a, b) => b.score - a.score || a.line - b.line);
}
