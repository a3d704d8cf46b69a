/** Programs the chaos tests corrupt: the bubble-sort genome and a few other small scripts. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ORGANISM_DIR = new URL('../../../../organisms/bubble-sort/', import.meta.url);

export function readGenome(): string {
  return readFileSync(fileURLToPath(new URL('genome.js', ORGANISM_DIR)), 'utf8');
}

/** Insertion sort with while loops, arrows, a try/catch and a guard clause. */
export const INSERTION_SORT = `'use strict';
/* Insertion sort.
   Reads {"values": [...]} on stdin. */
const read = () => new Promise((resolve) => {
  let text = '';
  process.stdin.on('data', (chunk) => { text += chunk; });
  process.stdin.on('error', (err) => { console.error(err); process.exit(2); });
  process.stdin.on('end', () => resolve(text));
});

function sort(values) {
  if (!Array.isArray(values)) throw new TypeError('values must be an array');
  const out = values.slice();
  let i = 1;
  while (i < out.length) {
    const held = out[i];
    let j = i - 1;
    while (j >= 0 && out[j] > held) {
      out[j + 1] = out[j];
      j--;
    }
    out[j + 1] = held;
    i++;
  }
  return out;
}

read().then((text) => {
  let input;
  try {
    input = JSON.parse(text);
  } catch (err) {
    console.error('bad input');
    process.exit(1);
  }
  console.log(JSON.stringify(sort(input.values)));
});
`;

/** Branches, a switch, a label, a class, equality tests, booleans and a BigInt. */
export const ODDS_AND_ENDS = `#!/usr/bin/env node
"use strict";
class Counter {
  constructor() { this.n = 0; }
  bump() { this.n += 1; return this; }
}

function classify(n) {
  switch (n % 3) {
    case 0: return 'fizz';
    case 1: return n === 1 ? 'one' : 'other';
    default: return n != 2 ? 'many' : 'two';
  }
}

const counter = new Counter();
let done = false;
outer: for (let a = 0; a < 3; a++) {
  for (let b = 0; b < 3; b++) {
    if (a * b >= 4) { done = true; break outer; }
    counter.bump();
  }
}
const big = 10n ** 3n;
const results = [1, 2, 3, 4].map((n) => classify(n));
do {
  results.push(String(big / 7n));
} while (!done && results.length < 2);
console.log(JSON.stringify({ results, count: counter.n, done }));
`;

/** One line, no functions, no loops. */
export const ONE_LINER = 'console.log(JSON.stringify([3, 1, 2].sort((a, b) => a - b)));\n';

/** Sources with no place for most operators. */
export const EMPTY = '';
export const ONLY_COMMENTS = '// nothing here\n/* nor\n   here */\n\n';

/** A source acorn rejects. */
export const BROKEN = 'function f( {\n  return 1;\n}\nf(;\n';

export function withCrlf(source: string): string {
  return source.replace(/\r?\n/g, '\r\n');
}

/** Every sample, by name. */
export function samplePrograms(): Record<string, string> {
  const genome = readGenome();
  return {
    genome,
    genomeCrlf: withCrlf(genome),
    insertionSort: INSERTION_SORT,
    oddsAndEnds: ODDS_AND_ENDS,
    oneLiner: ONE_LINER,
    empty: EMPTY,
    onlyComments: ONLY_COMMENTS,
    broken: BROKEN,
  };
}
