/**
 * Line hunks between a healthy genome and a broken one, and partial reverts of them.
 *
 * Pure: no I/O. Lines are tokenised the way jsdiff's diffLines does it (a line keeps its own
 * "\n" or "\r\n"), so a missing newline at the end of the file is a change like any other and
 * reverting every hunk gives back the healthy text byte for byte.
 */
import { diffLines } from 'diff';

export interface Hunk {
  /** Position of the hunk in the list, 0-based; the key used by revertHunks. */
  index: number;
  /**
   * 1-based line of the healthy text where the hunk starts. When the hunk removes nothing from
   * the healthy side (a pure insertion), this is the healthy line the inserted lines go before
   * (one past the last line when appending), as in jsdiff's structuredPatch.
   */
  oldStart: number;
  /** The healthy lines this hunk replaced, without line terminators. */
  oldLines: string[];
  /** 1-based line of the broken text where the hunk starts (same convention as oldStart). */
  newStart: number;
  /** The broken lines this hunk put in their place, without line terminators. */
  newLines: string[];
  /** Unified-diff hunk header, e.g. "@@ -12,1 +11,0 @@" (a zero-length side names the line before it). */
  header: string;
  /** The exact healthy text of the hunk, terminators included. */
  oldText: string;
  /** The exact broken text of the hunk, terminators included. */
  newText: string;
}

/** Splits a text into lines that keep their terminators; joining them gives the text back. */
export function splitLinesKeepEol(text: string): string[] {
  if (text === '') return [];
  const lines: string[] = [];
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    if (nl === -1) {
      if (start < text.length) lines.push(text.slice(start));
      return lines;
    }
    lines.push(text.slice(start, nl + 1));
    start = nl + 1;
  }
}

function stripEol(line: string): string {
  return line.endsWith('\r\n') ? line.slice(0, -2) : line.endsWith('\n') ? line.slice(0, -1) : line;
}

function header(oldStart: number, oldCount: number, newStart: number, newCount: number): string {
  // Unified-diff quirk: an empty side names the line *before* the change.
  const o = oldCount === 0 ? oldStart - 1 : oldStart;
  const n = newCount === 0 ? newStart - 1 : newStart;
  return `@@ -${o},${oldCount} +${n},${newCount} @@`;
}

/** The changes that turn `healthy` into `broken`, as independent hunks with no context lines. */
export function computeHunks(healthy: string, broken: string): Hunk[] {
  const changes = diffLines(healthy, broken);
  const hunks: Hunk[] = [];
  let oldLine = 1;
  let newLine = 1;
  let open: { oldStart: number; newStart: number; oldRaw: string[]; newRaw: string[] } | null = null;

  const close = (): void => {
    if (!open) return;
    hunks.push({
      index: hunks.length,
      oldStart: open.oldStart,
      oldLines: open.oldRaw.map(stripEol),
      newStart: open.newStart,
      newLines: open.newRaw.map(stripEol),
      header: header(open.oldStart, open.oldRaw.length, open.newStart, open.newRaw.length),
      oldText: open.oldRaw.join(''),
      newText: open.newRaw.join(''),
    });
    open = null;
  };

  for (const change of changes) {
    const lines = splitLinesKeepEol(change.value);
    if (change.added || change.removed) {
      open ??= { oldStart: oldLine, newStart: newLine, oldRaw: [], newRaw: [] };
      if (change.added) {
        open.newRaw.push(...lines);
        newLine += lines.length;
      } else {
        open.oldRaw.push(...lines);
        oldLine += lines.length;
      }
    } else {
      close();
      oldLine += lines.length;
      newLine += lines.length;
    }
  }
  close();
  return hunks;
}

/**
 * Rebuilds one side of the hunks: walks `base` (the side named by `from`) and, for each hunk,
 * keeps the base side or swaps in the other side.
 */
function rebuild(base: string, hunks: readonly Hunk[], from: 'old' | 'new', swap: (h: Hunk) => boolean): string {
  const lines = splitLinesKeepEol(base);
  const sorted = [...hunks].sort((a, b) => a.index - b.index);
  const out: string[] = [];
  let pos = 0; // 0-based index into `lines`
  for (const h of sorted) {
    const start = (from === 'new' ? h.newStart : h.oldStart) - 1;
    const count = (from === 'new' ? h.newLines : h.oldLines).length;
    const baseText = from === 'new' ? h.newText : h.oldText;
    const otherText = from === 'new' ? h.oldText : h.newText;
    if (start < pos || start + count > lines.length) {
      throw new Error(`hunk ${h.index} (${h.header}) does not fit the text it is applied to`);
    }
    for (; pos < start; pos++) out.push(lines[pos] as string);
    if (lines.slice(start, start + count).join('') !== baseText) {
      throw new Error(`hunk ${h.index} (${h.header}) does not match the text it is applied to`);
    }
    out.push(swap(h) ? otherText : baseText);
    pos = start + count;
  }
  for (; pos < lines.length; pos++) out.push(lines[pos] as string);
  return out.join('');
}

/**
 * The broken source with the hunks whose index is in `revert` put back to their healthy text and
 * the others kept. Reverting every hunk gives the healthy source; reverting none gives `broken`.
 * Throws if the hunks were not computed against this broken text.
 */
export function revertHunks(broken: string, hunks: readonly Hunk[], revert: ReadonlySet<number>): string {
  return rebuild(broken, hunks, 'new', (h) => revert.has(h.index));
}

/**
 * The healthy source with only the hunks whose index is in `apply` applied. For any set S,
 * `applyHunks(healthy, hunks, S)` equals `revertHunks(broken, hunks, complement of S)`.
 */
export function applyHunks(healthy: string, hunks: readonly Hunk[], apply: ReadonlySet<number>): string {
  return rebuild(healthy, hunks, 'old', (h) => apply.has(h.index));
}

function quote(line: string, max = 60): string {
  const t = line.trim();
  const shown = t.length > max ? `${t.slice(0, max - 1)}…` : t;
  return '`' + shown.replaceAll('`', "'") + '`';
}

function lineRange(start: number, count: number): string {
  return count <= 1 ? `line ${start}` : `lines ${start}-${start + count - 1}`;
}

function quoteLines(lines: readonly string[]): string {
  const nonBlank = lines.filter((l) => l.trim() !== '');
  if (nonBlank.length === 0) return lines.length === 1 ? 'a blank line' : `${lines.length} blank lines`;
  const first = quote(nonBlank[0] as string);
  return nonBlank.length === 1 ? first : `${first} (+${lines.length - 1} more lines)`;
}

/**
 * A short label for a hunk as seen from the repair (what reverting it does). The line number is
 * the hunk's line in the broken source (for a restoration, where the lines go back):
 * "line 12: restored `swapped = true;`", "line 30: removed `throw ...`",
 * "line 7: replaced `a <= b` with `a < b`".
 */
export function describeHunk(h: Hunk): string {
  const oldN = h.oldLines.length;
  const newN = h.newLines.length;
  if (newN === 0) {
    return `${lineRange(h.newStart, oldN)}: restored ${quoteLines(h.oldLines)}`;
  }
  if (oldN === 0) {
    return `${lineRange(h.newStart, newN)}: removed ${quoteLines(h.newLines)}`;
  }
  if (oldN === newN && h.oldLines.every((l, i) => l === h.newLines[i])) {
    // Same line contents: only the line terminators differ (e.g. a newline lost at the end of the file).
    return `${lineRange(h.newStart, newN)}: restored the line ending`;
  }
  return `${lineRange(h.newStart, newN)}: replaced ${quoteLines(h.newLines)} with ${quoteLines(h.oldLines)}`;
}
