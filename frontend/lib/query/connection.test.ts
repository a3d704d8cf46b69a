import { describe, expect, it } from 'vitest';
import { ApiError } from '../api';
import { answered, failed, initialConnection, type ConnectionState } from './connection';

const unreachable = new ApiError({ kind: 'network', endpoint: 'GET /status', message: 'Cannot reach the backend.' });
const refused = new ApiError({ kind: 'http', status: 401, endpoint: 'GET /status', message: 'A token is needed.' });
const odd = new ApiError({ kind: 'contract', status: 200, endpoint: 'GET /status', message: 'unexpected shape' });

const run = (steps: ((c: ConnectionState) => ConnectionState)[]) => steps.reduce((c, step) => step(c), initialConnection);

describe('the connection state', () => {
  it.each([
    ['never answered, one failure', [(c: ConnectionState) => failed(c, unreachable, 1)], 'connecting'],
    ['answered, then one failure', [(c: ConnectionState) => answered(c, 1, false), (c: ConnectionState) => failed(c, unreachable, 2)], 'reconnecting'],
    ['three failures in a row', [0, 1, 2].map((t) => (c: ConnectionState) => failed(c, unreachable, t)), 'offline'],
    ['offline, then an answer', [...[0, 1, 2].map((t) => (c: ConnectionState) => failed(c, unreachable, t)), (c: ConnectionState) => answered(c, 3, false)], 'connected'],
    ['an odd answer is still a live backend', [(c: ConnectionState) => failed(c, odd, 1)], 'connected'],
  ])('%s: %s', (_, steps, expected) => {
    expect(run(steps).connection).toBe(expected);
  });

  it('says why it cannot reach the backend, and forgets it on the next answer', () => {
    const down = failed(answered(initialConnection, 1, false), unreachable, 2);
    expect(down.connectionError).toBe('Cannot reach the backend.');
    expect(down.lastContactAt).toBe(1);
    expect(answered(down, 3, false)).toMatchObject({ connectionError: null, lastContactAt: 3, consecutiveFailures: 0 });
  });

  it('flags a 401 as a token to ask for, and counts the restarts it is told of', () => {
    expect(failed(initialConnection, refused, 1).unauthorized).toBe(true);
    expect(answered(answered(initialConnection, 1, true), 2, false).restarts).toBe(1);
  });
});
