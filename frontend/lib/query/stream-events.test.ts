import { describe, expect, it } from 'vitest';
import { addTransition, reconnectDelayMs, refreshesFor } from './stream-events';

describe('stream events', () => {
  it('refreshes what each event changes, and everything on a resync', () => {
    expect(refreshesFor('log')).toEqual([]);
    expect(refreshesFor('run')).toEqual(['status', 'runs']);
    expect(refreshesFor('promoted')).toContain('genomes');
    expect(refreshesFor('resync')).toHaveLength(7);
    expect(refreshesFor('proposal')).toEqual(['status', 'proposals']);
    expect(refreshesFor('heartbeat')).toEqual([]);
  });

  it('keeps the newest state changes in cursor order, each once', () => {
    let kept = addTransition([], { from: 'healthy', to: 'sick', at: 1, id: 5 });
    kept = addTransition(kept, { from: 'healing', to: 'healthy', at: 3, id: 9 });
    kept = addTransition(kept, { from: 'sick', to: 'healing', at: 2, id: 7 });
    kept = addTransition(kept, { from: 'sick', to: 'healing', at: 2, id: 7 });
    expect(kept.map((t) => t.to)).toEqual(['sick', 'healing', 'healthy']);
    const many = Array.from({ length: 20 }, (_, i) => i).reduce((k, i) => addTransition(k, { from: 'sick', to: 'healthy', at: i, id: i }, 4), kept);
    expect(many.map((t) => t.id)).toEqual([16, 17, 18, 19]);
  });

  it('waits longer after each failure to open the stream, up to 30 s', () => {
    expect([1, 2, 3, 10].map(reconnectDelayMs)).toEqual([1000, 2000, 4000, 30_000]);
  });
});
