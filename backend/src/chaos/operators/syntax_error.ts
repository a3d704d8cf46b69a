/**
 * syntax_error: corrupt one line of code so the file no longer parses. Variants: drop a closing or opening
 * bracket, insert an unmatched '(', misspell a keyword. Each candidate is checked with acorn; the first one (in
 * an order drawn from the rng) that acorn rejects is the result.
 */
import type { Token } from 'acorn';
import { codeLineNumbers, parses, parseSource, tokensWithin, tokenText, type Parsed } from '../ast.js';
import { Lines, quoteCode } from '../lines.js';
import { shuffled } from '../shuffle.js';
import { ChaosNotApplicable, type ChaosOperator, type ChaosResult } from '../types.js';

const TYPE = 'syntax_error';
const CLOSERS = new Set([')', ']', '}']);
const OPENERS = new Set(['(', '[', '{', '${']);

interface Edit {
  readonly start: number;
  readonly end: number;
  readonly replacement: string;
  /** How the line was broken, after "by": "dropping a `)`". */
  readonly how: string;
}

/** Swaps the second and third letters: function → fnuction, return → rteurn, for → fro, if → fi. */
function misspell(word: string): string {
  if (word.length === 2) return word[1]! + word[0]!;
  return word[0]! + word[2]! + word[1]! + word.slice(3);
}

function editsForLine(parsed: Parsed, line: number): Edit[] {
  const { lines } = parsed;
  const tokens = tokensWithin(parsed.tokens, lines.start(line), lines.end(line));
  const edits: Edit[] = [];
  for (const token of tokens) {
    const label = token.type.label;
    if (CLOSERS.has(label)) edits.push({ start: token.start, end: token.end, replacement: '', how: `dropping a \`${label}\`` });
    if (OPENERS.has(label) && label !== '${') {
      edits.push({ start: token.start, end: token.end, replacement: '', how: `dropping a \`${label}\`` });
    }
    const word = token.type.keyword ?? (label === 'name' && tokenText(parsed, token) === 'let' ? 'let' : undefined);
    if (word !== undefined && word.length >= 2 && misspell(word) !== word) {
      edits.push({ start: token.start, end: token.end, replacement: misspell(word), how: `misspelling \`${word}\`` });
    }
  }
  const last: Token | undefined = tokens[tokens.length - 1];
  if (last) {
    const at = last.type.label === ';' ? last.start : last.end;
    edits.push({ start: at, end: at, replacement: '(', how: 'inserting an unmatched `(`' });
  }
  return edits;
}

export const syntaxError: ChaosOperator = {
  type: TYPE,
  description: 'Corrupts one line so the file no longer parses: a dropped bracket, a stray `(`, a misspelt keyword.',
  apply(source, rng): ChaosResult {
    const parsed = parseSource(source);
    // A source that already fails to parse still gets a visible corruption: a stray '(' at the end of a line.
    if (!parsed) return strayParen(source, rng);
    for (const line of shuffled(codeLineNumbers(parsed), rng)) {
      for (const edit of shuffled(editsForLine(parsed, line), rng)) {
        const corrupted = source.slice(0, edit.start) + edit.replacement + source.slice(edit.end);
        if (parses(corrupted)) continue;
        const after = new Lines(corrupted).text(line);
        return {
          type: TYPE,
          source: corrupted,
          line,
          before: parsed.lines.text(line),
          after,
          description: `Broke the syntax of line ${line} by ${edit.how}: ${quoteCode(after)}.`,
          expect: ['crashed'],
        };
      }
    }
    throw new ChaosNotApplicable(`${TYPE}: no line of code to corrupt`);
  },
};

function strayParen(source: string, rng: Parameters<ChaosOperator['apply']>[1]): ChaosResult {
  const lines = new Lines(source);
  const candidates = Array.from({ length: lines.count }, (_, i) => i + 1).filter((line) => lines.text(line).trim() !== '');
  if (candidates.length === 0) throw new ChaosNotApplicable(`${TYPE}: no line of code to corrupt`);
  const line = rng.pick(candidates);
  const corrupted = source.slice(0, lines.end(line)) + '(' + source.slice(lines.end(line));
  const after = new Lines(corrupted).text(line);
  return {
    type: TYPE,
    source: corrupted,
    line,
    before: lines.text(line),
    after,
    description: `Broke the syntax of line ${line} by inserting an unmatched \`(\`: ${quoteCode(after)}.`,
    expect: ['crashed'],
  };
}
