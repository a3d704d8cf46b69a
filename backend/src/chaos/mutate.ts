/**
 * The shared shape of the AST logic mutants (in the spirit of Stryker): parse with acorn, list the places a
 * mutation applies, pick one with the rng and edit it with magic-string, leaving the rest of the file untouched.
 */
import type { BinaryExpression } from 'acorn';
import MagicString from 'magic-string';
import type { Verdict } from '../domain.js';
import { allNodes, firstTokenAtOrAfter, parses, parseSource, tokenText, type Parsed } from './ast.js';
import { Lines, quoteCode } from './lines.js';
import { shuffled } from './shuffle.js';
import { ChaosNotApplicable, type ChaosOperator, type ChaosResult } from './types.js';

/** A logic mutant usually answers wrongly; changing a loop or a guard can also crash it or make it spin. */
export const LOGIC_EXPECT: readonly Verdict[] = ['wrong', 'crashed', 'hung'];

export interface Mutation {
  readonly start: number;
  readonly end: number;
  readonly replacement: string;
  /** What the mutation does, starting with a verb: "flipped `<` to `>`". */
  readonly summary: string;
}

export interface MutantSpec {
  readonly type: string;
  readonly description: string;
  readonly expect?: readonly Verdict[];
  readonly mutations: (parsed: Parsed) => Mutation[];
}

export function mutantOperator(spec: MutantSpec): ChaosOperator {
  const mutate = (source: string, parsed: Parsed, mutation: Mutation): ChaosResult | null => {
    const edited = new MagicString(source).overwrite(mutation.start, mutation.end, mutation.replacement).toString();
    if (edited === source || !parses(edited)) return null;
    const line = parsed.lines.lineAt(mutation.start);
    const after = new Lines(edited).text(line);
    const summary = mutation.summary.charAt(0).toUpperCase() + mutation.summary.slice(1);
    return {
      type: spec.type,
      source: edited,
      line,
      before: parsed.lines.text(line),
      after,
      description: `${summary} on line ${line}: ${quoteCode(after)}.`,
      expect: spec.expect ?? LOGIC_EXPECT,
    };
  };
  const candidates = (source: string, parsed: Parsed) => spec.mutations(parsed).filter((m) => source.slice(m.start, m.end) !== m.replacement);
  return {
    type: spec.type,
    description: spec.description,
    apply(source, rng) {
      const parsed = parseSource(source);
      if (!parsed) throw new ChaosNotApplicable(`${spec.type}: the source does not parse`);
      for (const mutation of shuffled(candidates(source, parsed), rng)) {
        const result = mutate(source, parsed, mutation);
        if (result) return result;
      }
      throw new ChaosNotApplicable(`${spec.type}: nothing in the source to mutate`);
    },
    enumerate(source) {
      const parsed = parseSource(source);
      if (!parsed) return [];
      return candidates(source, parsed).flatMap((m) => mutate(source, parsed, m) ?? []);
    },
  };
}

/**
 * Mutations that replace the operator of binary expressions: `swaps` maps each operator to its replacement.
 * The operator's token is found among the tokens between the two operands (parentheses and comments may sit there).
 */
export function binaryOperatorMutations(parsed: Parsed, swaps: Readonly<Record<string, string>>, verb: string): Mutation[] {
  const out: Mutation[] = [];
  for (const node of allNodes(parsed.ast)) {
    if (node.type !== 'BinaryExpression') continue;
    const { left, right, operator } = node as BinaryExpression;
    const replacement = swaps[operator];
    if (replacement === undefined) continue;
    for (let i = firstTokenAtOrAfter(parsed.tokens, left.end); i < parsed.tokens.length; i++) {
      const token = parsed.tokens[i];
      if (!token || token.start >= right.start) break;
      if (tokenText(parsed, token) === operator) {
        out.push({ start: token.start, end: token.end, replacement, summary: `${verb} \`${operator}\` to \`${replacement}\`` });
        break;
      }
    }
  }
  return out;
}
