/**
 * The spawner: a small Node process that starts organism runs for the server, so that the server's event loop
 * never forks its own large process (5-12 ms blocked per run). It executes the command lines the server's sandbox
 * built (execChild: process group, output caps, time limit, pidfile) and reports what they did. It holds no state
 * worth keeping: the server restarts it if it dies.
 *
 *   started by src/spawner/client.ts with child_process.fork; not meant to be run by hand
 */
import { execChild } from './exec-child.js';
import type { FromSpawner, ToSpawner } from './protocol.js';
import { Standbys } from './standby.js';

const runs = new Map<number, AbortController>();
/** Open sessions' stdin, by run id. */
const inputs = new Map<number, { write: (text: string) => void; end: () => void }>();
let shuttingDown = false;
const standbys = new Standbys();

function send(msg: FromSpawner): void {
  // The server may be gone; its runs then end without anyone to tell.
  if (process.connected) process.send!(msg);
}

function start(id: number, spec: Extract<ToSpawner, { type: 'run' }>['spec'], session = false): void {
  const abort = new AbortController();
  runs.set(id, abort);
  const onStarted = (s: { pid: number; start: number | null }) => send({ type: 'started', id, ...s });
  const onStandby = !session && spec.standby && !shuttingDown ? standbys.take(spec, { signal: abort.signal, onStarted }) : null;
  void (onStandby ?? execChild(spec, {
    signal: abort.signal,
    onStarted,
    ...(session
      ? {
          session: {
            onStdout: (data: string) => send({ type: 'out', id, data }),
            attach: (stdin: { write: (text: string) => void; end: () => void }) => void inputs.set(id, stdin),
          },
        }
      : {}),
  })).then((result) => {
    runs.delete(id);
    inputs.delete(id);
    send({ type: 'result', id, result });
    if (shuttingDown && runs.size === 0) process.exit(0);
    // The next run of this shape finds a process waiting for it; started now, after this one, not beside it.
    if (spec.standby && !shuttingDown) standbys.keepReady(spec);
  });
}

process.on('message', (msg: ToSpawner) => {
  switch (msg.type) {
    case 'run':
      start(msg.id, msg.spec);
      break;
    case 'open':
      start(msg.id, msg.spec, true);
      break;
    case 'write':
      inputs.get(msg.id)?.write(msg.data);
      break;
    case 'end':
      inputs.get(msg.id)?.end();
      break;
    case 'kill':
      runs.get(msg.id)?.abort();
      break;
    case 'shutdown':
      // Each abort SIGKILLs a group; the exit waits for the last one to close so that no run outlives this.
      shuttingDown = true;
      standbys.close();
      for (const r of runs.values()) r.abort();
      if (runs.size === 0) process.exit(0);
      break;
  }
});

// The server died without a shutdown (SIGKILL, a crash): exit as its own runs did before the spawner existed.
// What they leave is the sandbox's business: the parent-death signal kills them with this process, and without
// that layer the next server start kills what their pidfiles name.
process.on('disconnect', () => process.exit(0));

send({ type: 'ready' });
