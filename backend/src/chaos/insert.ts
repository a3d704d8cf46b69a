/** The shared shape of the operators that insert one new line of code at a run site. */
import type { Verdict } from '../domain.js';
import { parses, parseSource, type Parsed } from './ast.js';
import { Lines, quoteCode } from './lines.js';
import { shuffled } from './shuffle.js';
import { workSites, type RunSite } from './sites.js';
import { ChaosNotApplicable, type ChaosOperator } from './types.js';

export interface InsertionSpec {
  readonly type: string;
  readonly description: string;
  readonly expect: readonly Verdict[];
  /** The line to insert, without indentation (it takes the indentation of the line it goes before). */
  readonly code: string;
  /** What the line is, for the result's description: "an infinite loop". */
  readonly what: string;
  /** Narrows the candidate sites (default: every work site, see sites.ts). */
  readonly choose?: (sites: RunSite[], parsed: Parsed) => RunSite[];
}

export function insertionOperator(spec: InsertionSpec): ChaosOperator {
  return {
    type: spec.type,
    description: spec.description,
    apply(source, rng) {
      const parsed = parseSource(source);
      if (!parsed) throw new ChaosNotApplicable(`${spec.type}: the source does not parse, so no run site can be found`);
      const sites = workSites(parsed);
      const candidates = spec.choose ? spec.choose(sites, parsed) : sites;
      for (const site of shuffled(candidates, rng)) {
        const corrupted = parsed.lines.withLineBefore(site.line, spec.code);
        if (!parses(corrupted)) continue;
        return {
          type: spec.type,
          source: corrupted,
          line: site.line,
          before: '',
          after: new Lines(corrupted).text(site.line),
          description: `Inserted ${spec.what} at line ${site.line}, before ${quoteCode(parsed.lines.text(site.line))}.`,
          expect: spec.expect,
        };
      }
      throw new ChaosNotApplicable(`${spec.type}: no statement that runs on every run starts its own line`);
    },
  };
}
