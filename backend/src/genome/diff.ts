import { createTwoFilesPatch } from 'diff';

/** A unified diff between two genomes, labelled by generation, as `git diff` would show it. */
export function genomeDiff(
  before: { generation: number; source: string } | null,
  after: { generation: number; source: string },
): string {
  if (!before) return '';
  const patch = createTwoFilesPatch(
    `a/genome.js (generation ${before.generation})`,
    `b/genome.js (generation ${after.generation})`,
    before.source,
    after.source,
    undefined,
    undefined,
    { context: 3 },
  );
  // jsdiff opens with a row of '=' (its Index: block without the Index: line); git's format has none.
  return patch.replace(/^=+\n/, '');
}
