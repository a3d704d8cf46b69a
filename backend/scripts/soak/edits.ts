/**
 * Outside edits on a clock: someone editing an organism's live.js by hand while chaos runs. Each edit is made from the
 * file as it is now: a harmless comment, or a logic mutant of the kind an editor's slip makes (a boundary, a
 * comparison, a literal), which may be latent. The server must take each as a genome and trust it only once verified.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { applyChaos, ChaosNotApplicable } from '../../src/chaos/index.js';
import { createRng } from '../../src/lib/rng.js';

const SLIPS = ['change_boundary', 'flip_comparison', 'change_literal', 'flip_equality', 'swap_arithmetic'] as const;

export interface EditTally {
  ticks: number;
  harmless: number;
  mutants: number;
  /** The file could not be read or written (a rename by the server in between): not a failure of the server. */
  skipped: number;
}

export interface EditLoop {
  stop(): EditTally;
}

export function startEdits(dataDir: string, organisms: readonly string[], everyMs: number, seed: number): EditLoop {
  const tally: EditTally = { ticks: 0, harmless: 0, mutants: 0, skipped: 0 };
  if (everyMs <= 0 || organisms.length === 0) return { stop: () => tally };
  const rng = createRng(seed ^ 0x5eed);
  const timer = setInterval(() => {
    const organism = organisms[tally.ticks++ % organisms.length]!;
    const file = path.join(dataDir, 'organisms', organism, 'live.js');
    try {
      const source = readFileSync(file, 'utf8');
      if (rng.next() < 0.4) {
        writeFileSync(file, `// edited by hand at tick ${tally.ticks}\n${source.replace(/^\/\/ edited by hand at tick \d+\n/, '')}`);
        tally.harmless++;
        return;
      }
      writeFileSync(file, applyChaos(rng.pick(SLIPS), source, rng).source);
      tally.mutants++;
    } catch (err) {
      if (err instanceof ChaosNotApplicable || (err as NodeJS.ErrnoException).code === 'ENOENT') tally.skipped++;
      else throw err;
    }
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return tally;
    },
  };
}
