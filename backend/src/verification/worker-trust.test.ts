import { describe, expect, it } from 'vitest';
import { trustWorkers } from './worker-trust.js';

describe('trustWorkers', () => {
  it('accepts only the passes of workers; every other verdict and every unreported case gets a real run', () => {
    const r = trustWorkers([{ verdict: 'ok' }, { verdict: 'slow' }, { verdict: 'wrong' }, null, { verdict: 'hung' }, { verdict: 'crashed' }, { verdict: 'oom' }, { verdict: 'ok' }]);
    expect(r).toEqual({ passed: [0, 1, 7], confirm: [2, 3, 4, 5, 6] });
  });
});
