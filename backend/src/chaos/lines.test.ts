import { describe, expect, it } from 'vitest';
import { Lines, quoteCode } from './lines.js';

describe('Lines', () => {
  const lf = new Lines('a\n  b\n\nc');
  const crlf = new Lines('a\r\n  b\r\n\r\nc\r\n');

  it('maps offsets to 1-based lines and back', () => {
    expect(lf.count).toBe(4);
    expect([0, 1, 2, 5, 6, 7].map((o) => lf.lineAt(o))).toEqual([1, 1, 2, 2, 3, 4]);
    expect(lf.start(2)).toBe(2);
    expect(lf.text(2)).toBe('  b');
    expect(lf.indent(2)).toBe('  ');
    expect(() => lf.start(9)).toThrow(RangeError);
  });

  it('keeps carriage returns out of line texts', () => {
    expect(crlf.count).toBe(5);
    expect([1, 2, 3, 4].map((l) => crlf.text(l))).toEqual(['a', '  b', '', 'c']);
    expect(crlf.eol(2)).toBe('\r\n');
  });

  it('deletes a line with its terminator, the last one included', () => {
    expect(lf.withoutLine(2)).toBe('a\n\nc');
    expect(lf.withoutLine(4)).toBe('a\n  b\n');
    expect(new Lines('only').withoutLine(1)).toBe('');
    expect(crlf.withoutLine(1)).toBe('  b\r\n\r\nc\r\n');
    expect(new Lines('a\r\nb').withoutLine(2)).toBe('a');
  });

  it('inserts a line before another, indented like it, with the same line ending', () => {
    expect(lf.withLineBefore(2, 'x;')).toBe('a\n  x;\n  b\n\nc');
    expect(lf.withLineBefore(4, 'x;')).toBe('a\n  b\n\nx;\nc');
    expect(crlf.withLineBefore(2, 'x;')).toBe('a\r\n  x;\r\n  b\r\n\r\nc\r\n');
  });

  it('tells whether an offset starts its line', () => {
    expect(lf.startsLine(4)).toBe(true); // the 'b' after two spaces
    expect(new Lines('a; b;').startsLine(3)).toBe(false);
  });
});

describe('quoteCode', () => {
  it('trims, shortens and quotes', () => {
    expect(quoteCode('   x = 1;  ')).toBe('`x = 1;`');
    expect(quoteCode('  \t ')).toBe('(empty line)');
    expect(quoteCode('y'.repeat(100), 10)).toBe(`\`${'y'.repeat(9)}…\``);
  });
});
