/**
 * The connection to the backend, as the status poll sees it: connecting -> connected; after a failure to reach
 * the backend reconnecting; after `offlineAfter` consecutive failures offline. Pure transitions, so the indicator's
 * behaviour is tested without timers.
 */
import { ApiError, errorMessage, needsToken } from '../api';

export type Connection = 'connecting' | 'connected' | 'reconnecting' | 'offline';

export const OFFLINE_AFTER_FAILURES = 3;

export interface ConnectionState {
  connection: Connection;
  /** Date.now() of the last answer from the backend, null before the first one. */
  lastContactAt: number | null;
  consecutiveFailures: number;
  /** Why the backend could not be reached, while it cannot. */
  connectionError: string | null;
  /** The backend refuses to answer without a token (OUROBOROS_PROTECT_READS). */
  unauthorized: boolean;
  everConnected: boolean;
  /**
   * How many times the backend was seen to restart (its uptime went down). A restarted backend may have started
   * over with a fresh data dir, so the log and run cursors start over when this changes.
   */
  restarts: number;
}

export const initialConnection: ConnectionState = {
  connection: 'connecting',
  lastContactAt: null,
  consecutiveFailures: 0,
  connectionError: null,
  unauthorized: false,
  everConnected: false,
  restarts: 0,
};

/** Does this failure mean "the backend is not there" (as opposed to "it answered oddly")? */
export function isUnreachable(e: unknown): boolean {
  if (e instanceof ApiError) return e.kind === 'network' || (e.kind === 'http' && (e.status ?? 0) >= 500);
  return true;
}

/** The backend answered the status poll (`restarted`: with a lower uptime than before). */
export function answered(prev: ConnectionState, now: number, restarted: boolean): ConnectionState {
  return {
    connection: 'connected',
    lastContactAt: now,
    consecutiveFailures: 0,
    connectionError: null,
    unauthorized: false,
    everConnected: true,
    restarts: prev.restarts + (restarted ? 1 : 0),
  };
}

/** The status poll failed: unreachable, or an answer that is an error (still a live backend). */
export function failed(prev: ConnectionState, e: unknown, now: number, offlineAfter = OFFLINE_AFTER_FAILURES): ConnectionState {
  if (!isUnreachable(e)) {
    return { ...prev, connection: 'connected', lastContactAt: now, consecutiveFailures: 0, connectionError: null, unauthorized: needsToken(e), everConnected: true };
  }
  const failures = prev.consecutiveFailures + 1;
  return {
    ...prev,
    consecutiveFailures: failures,
    connection: failures >= offlineAfter ? 'offline' : prev.everConnected ? 'reconnecting' : 'connecting',
    connectionError: errorMessage(e),
  };
}
