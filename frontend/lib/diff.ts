/**
 * A small parser for unified diff text (as produced by `diff -u` / jsdiff's createPatch), so
 * the diff viewer can colour and number each line itself.
 */

export type DiffLineKind = 'file' | 'hunk' | 'add' | 'del' | 'context' | 'meta';

export interface DiffLine {
  kind: DiffLineKind;
  text: string;
  /** Line number in the parent (old) file, for del/context lines. */
  oldNo: number | null;
  /** Line number in the child (new) file, for add/context lines. */
  newNo: number | null;
}

export interface ParsedDiff {
  lines: DiffLine[];
  added: number;
  removed: number;
  hunks: number;
}

const HUNK = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

export function parseUnifiedDiff(text: string): ParsedDiff {
  const out: DiffLine[] = [];
  let added = 0;
  let removed = 0;
  let hunks = 0;
  let oldNo = 0;
  let newNo = 0;
  // Lines still expected in the current hunk, from its header's counts.
  let oldLeft = 0;
  let newLeft = 0;
  const raw = text.replace(/\r\n/g, '\n').split('\n');
  if (raw.length > 0 && raw[raw.length - 1] === '') raw.pop();

  for (const line of raw) {
    const inHunk = oldLeft > 0 || newLeft > 0;
    if (inHunk) {
      if (line.startsWith('+')) {
        added++;
        newLeft--;
        out.push({ kind: 'add', text: line, oldNo: null, newNo: newNo++ });
        continue;
      }
      if (line.startsWith('-')) {
        removed++;
        oldLeft--;
        out.push({ kind: 'del', text: line, oldNo: oldNo++, newNo: null });
        continue;
      }
      if (line.startsWith(' ') || line === '') {
        oldLeft--;
        newLeft--;
        out.push({ kind: 'context', text: line, oldNo: oldNo++, newNo: newNo++ });
        continue;
      }
    }
    if (line.startsWith('\\')) {
      out.push({ kind: 'meta', text: line, oldNo: null, newNo: null });
      continue;
    }
    const hunk = HUNK.exec(line);
    if (hunk) {
      hunks++;
      oldNo = Number(hunk[1]);
      oldLeft = hunk[2] === undefined ? 1 : Number(hunk[2]);
      newNo = Number(hunk[3]);
      newLeft = hunk[4] === undefined ? 1 : Number(hunk[4]);
      out.push({ kind: 'hunk', text: line, oldNo: null, newNo: null });
      continue;
    }
    oldLeft = 0;
    newLeft = 0;
    const isFile = line.startsWith('--- ') || line.startsWith('+++ ');
    out.push({ kind: isFile ? 'file' : 'meta', text: line, oldNo: null, newNo: null });
  }
  return { lines: out, added, removed, hunks };
}
