import type { ExecResult, ExecSpec, ExecStarted } from './exec-spec.js';

/**
 * The messages between the server and a spawner process, over Node's IPC channel (child_process.fork): the channel
 * frames and serialises them, and its end tells the spawner that the server is gone.
 */
export type ToSpawner =
  | { type: 'run'; id: number; spec: ExecSpec }
  /** Start a session: a run whose stdin stays open for `write`s and whose stdout comes back as `out` messages. */
  | { type: 'open'; id: number; spec: ExecSpec }
  | { type: 'write'; id: number; data: string }
  /** Close a session's stdin. */
  | { type: 'end'; id: number }
  /** Kill the run's whole group now (its caller aborted it). */
  | { type: 'kill'; id: number }
  /** Kill every run in flight and exit: the server is shutting down. */
  | { type: 'shutdown' };

export type FromSpawner =
  /** Listening: runs sent before this would be lost while the spawner's modules load. */
  | { type: 'ready' }
  | ({ type: 'started'; id: number } & ExecStarted)
  /** A session's stdout, as it comes (whole characters). */
  | { type: 'out'; id: number; data: string }
  | { type: 'result'; id: number; result: ExecResult };
