/**
 * Line bookkeeping shared by the chaos operators: 1-based line numbers, offsets, line texts and indentation.
 * A line ends at '\n'; a '\r' before it belongs to the terminator, never to the line's text.
 */
export class Lines {
  /** Offset of the first character of each line; index = line - 1. */
  private readonly starts: number[];

  constructor(readonly source: string) {
    this.starts = [0];
    for (let i = source.indexOf('\n'); i !== -1; i = source.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  get count(): number {
    return this.starts.length;
  }

  /** The 1-based line holding the character at `offset`. */
  lineAt(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? Infinity) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  /** Offset of the line's first character. */
  start(line: number): number {
    const start = this.starts[line - 1];
    if (start === undefined) throw new RangeError(`line ${line} is outside 1..${this.count}`);
    return start;
  }

  /** Offset just past the line's text (before its '\r\n' or '\n'). */
  end(line: number): number {
    const next = this.starts[line];
    if (next === undefined) return this.source.length;
    return this.source[next - 2] === '\r' ? next - 2 : next - 1;
  }

  /** The line's text, without its terminator. */
  text(line: number): string {
    return this.source.slice(this.start(line), this.end(line));
  }

  /** The line terminator the source uses after `line` ('\n' when the line is the last). */
  eol(line: number): string {
    const next = this.starts[line];
    return next !== undefined && this.source[next - 2] === '\r' ? '\r\n' : '\n';
  }

  /** The leading whitespace of the line. */
  indent(line: number): string {
    return indentationOf(this.text(line));
  }

  /** True when only whitespace precedes `offset` on its line. */
  startsLine(offset: number): boolean {
    return this.source.slice(this.start(this.lineAt(offset)), offset).trim() === '';
  }

  /** The source with `line` removed, terminator included. */
  withoutLine(line: number): string {
    if (line < this.count) return this.source.slice(0, this.start(line)) + this.source.slice(this.start(line + 1));
    if (line === 1) return '';
    // The last line has no terminator of its own: drop the one before it instead.
    return this.source.slice(0, this.end(line - 1));
  }

  /** The source with `text` inserted as a new line just before `line`, indented like `line`. */
  withLineBefore(line: number, text: string): string {
    const at = this.start(line);
    return this.source.slice(0, at) + this.indent(line) + text + this.eol(line) + this.source.slice(at);
  }
}

export function indentationOf(text: string): string {
  return /^[ \t]*/.exec(text)?.[0] ?? '';
}

/** Stands for a line left with no code, where an empty code span (two backticks) would say nothing. */
export const EMPTY_LINE = '(empty line)';

/** A line's code as it appears in a description: trimmed, shortened, in backticks; EMPTY_LINE when there is none. */
export function quoteCode(text: string, max = 80): string {
  const trimmed = text.trim();
  if (trimmed === '') return EMPTY_LINE;
  const short = trimmed.length > max ? `${trimmed.slice(0, max - 1)}…` : trimmed;
  return `\`${short}\``;
}
