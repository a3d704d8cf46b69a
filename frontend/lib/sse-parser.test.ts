import { describe, expect, it } from 'vitest';
import { SseParser } from '@ouroboros/contract';

describe('SseParser', () => {
  it('returns each message once it is complete, across chunks and line endings', () => {
    const p = new SseParser();
    expect(p.push('retry: 2000\n: a comment\nid: 7\nevent: state\ndata: {"a":')).toEqual([]);
    expect(p.retry).toBe(2000);
    expect(p.push('1}\r')).toEqual([]);
    expect(p.push('\n\r\n')).toEqual([{ id: '7', event: 'state', data: '{"a":1}' }]);
    expect(p.push('data: x\ndata: y\n\n')).toEqual([{ id: '7', event: 'message', data: 'x\ny' }]);
  });

  it('keeps the last id for messages without one, and ignores frames without data', () => {
    const p = new SseParser();
    expect(p.push('id: 3\n\nevent: ping\n\ndata: z\n\n')).toEqual([{ id: '3', event: 'message', data: 'z' }]);
  });
});
