import { describe, expect, it } from 'vitest';
import { EVERYTHING, matches, parseTypes } from './filter.js';
import { JOURNAL_EVENT_TYPES } from './types.js';

describe('event filter', () => {
  it('takes everything, one organism, some types, or both', () => {
    const e = { organism: 'a', type: 'run' };
    expect(matches(EVERYTHING, e)).toBe(true);
    expect(matches({ organism: 'a', types: null }, e)).toBe(true);
    expect(matches({ organism: 'b', types: null }, e)).toBe(false);
    expect(matches({ organism: null, types: ['run', 'state'] }, e)).toBe(true);
    expect(matches({ organism: null, types: ['log'] }, e)).toBe(false);
    expect(matches({ organism: 'a', types: ['log'] }, e)).toBe(false);
  });

  it('parses ?types= and names the valid ones when one is unknown', () => {
    expect(parseTypes(undefined)).toEqual({ types: null });
    expect(parseTypes('run, state,run')).toEqual({ types: ['run', 'state'] });
    const bad = parseTypes('run,meteor');
    expect('error' in bad && bad.error).toContain('"meteor"');
    expect('error' in bad && bad.error).toContain(JOURNAL_EVENT_TYPES.join(', '));
    expect('error' in parseTypes(' , ')).toBe(true);
  });
});
