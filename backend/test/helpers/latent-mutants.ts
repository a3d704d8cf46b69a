/**
 * One hand-written latent mutant per organism: a realistic bug that random inputs almost never expose, so one passing
 * run would have called it healthy. Each is the seed genome with one precise edit, so it follows the seed's text.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REAL_ORGANISMS } from './fixtures.js';

export interface LatentMutant {
  /** The bug, in words. */
  what: string;
  from: string;
  to: string;
  /** The suite case it fails on first. */
  failsOn: RegExp;
}

export const LATENT_MUTANTS: Readonly<Record<'bubble-sort' | 'prime-sieve' | 'json-transform', LatentMutant>> = {
  'bubble-sort': {
    what: 'assumes an array of fewer than three values is already sorted',
    from: '  const values = input.slice();\n',
    to: '  const values = input.slice();\n  if (values.length < 3) return { values, passes: 0 };\n',
    failsOn: /^edge: two elements, reversed$/,
  },
  'prime-sieve': {
    what: "sieves with the primes up to sqrt(high - 1), so a prime's square at the top passes as a prime",
    from: 'smallPrimes(Math.floor(Math.sqrt(high)))',
    to: 'smallPrimes(Math.floor(Math.sqrt(high - 1)))',
    failsOn: /^edge: 0\.\.4, the square of 2 at the top$/,
  },
  'json-transform': {
    what: 'orders regions tied on revenue backwards',
    from: '(a.region < b.region ? -1 : 1)',
    to: '(a.region > b.region ? -1 : 1)',
    failsOn: /^edge: a tie in revenue/,
  },
};

export function seedSource(organism: keyof typeof LATENT_MUTANTS): string {
  return readFileSync(path.join(REAL_ORGANISMS, organism, 'genome.js'), 'utf8');
}

export function latentMutant(organism: keyof typeof LATENT_MUTANTS): string {
  const m = LATENT_MUTANTS[organism];
  const seed = seedSource(organism);
  if (seed.split(m.from).length !== 2) throw new Error(`the latent mutant of ${organism} no longer applies: "${m.from}" is not in its genome exactly once`);
  return seed.replace(m.from, m.to);
}

/**
 * A bubble sort that drops the values from -995 to -991: its suite (the edge cases, no property inputs) never holds one,
 * while about half of the routine inputs do. Verified, then exposed by a routine run: the demotion fixture.
 */
export function bandMutant(): string {
  const seed = seedSource('bubble-sort');
  const from = '  const values = input.slice();\n';
  if (seed.split(from).length !== 2) throw new Error(`the band mutant no longer applies: "${from}" is not in the genome exactly once`);
  return seed.replace(from, '  const values = input.filter((v) => v < -995 || v > -991);\n');
}
