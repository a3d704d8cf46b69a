import { describe, expect, it } from 'vitest';
import { CappedBuffer } from './capped-buffer.js';

describe('CappedBuffer', () => {
  it('keeps everything under the cap', () => {
    const b = new CappedBuffer(100);
    b.push(Buffer.from('hello '));
    b.push(Buffer.from('world'));
    expect(b.toString()).toBe('hello world');
    expect(b.truncated).toBe(false);
    expect(b.total).toBe(11);
  });

  it('keeps the head and the tail of a flood and counts what it dropped', () => {
    const b = new CappedBuffer(20);
    b.push(Buffer.from('FIRST-LINE\n'));
    for (let i = 0; i < 1000; i++) b.push(Buffer.from('noise noise noise\n'));
    b.push(Buffer.from('[1,2,3]\n'));
    expect(b.truncated).toBe(true);
    expect(b.total).toBe(11 + 18_000 + 8);
    const text = b.toString();
    expect(text.startsWith('FIRST-LINE')).toBe(true);
    expect(text.endsWith('[1,2,3]\n')).toBe(true);
    expect(text).toMatch(/bytes dropped/);
    expect(b.tailText().endsWith('[1,2,3]\n')).toBe(true);
    expect(Buffer.byteLength(text)).toBeLessThan(80);
  });

  it('handles one chunk larger than the whole cap', () => {
    const b = new CappedBuffer(10);
    b.push(Buffer.from('abcdefghijklmnopqrstuvwxyz'));
    expect(b.toString()).toContain('abcde');
    expect(b.toString()).toContain('vwxyz');
  });
});
