/**
 * The CPU time of one organism run: user + system time of its Node process, every thread counted, from the moment
 * the genome's code starts loading to the exit. Wall time counts whatever else the machine does; CPU time counts
 * the organism's own work, so two busy processes beside it barely move it. Node's own start-up (the same for every
 * genome, about 90 ms here) is left out, so that it neither dilutes a speed-up nor adds its noise. Evolution
 * measures fitness with it.
 *
 * The server cannot read a child's CPU time itself (Node reaps children without their rusage, and inside a PID
 * namespace the organism is not even our child), so the organism's process reports it: a preload module, given
 * to node as a `data:` URL (no file for the permission model to allow), takes `process.cpuUsage` and
 * `fs.writeSync` before the genome's code runs and writes one line to stderr when the process exits. The line
 * carries a random key the genome never sees (the preload removes its own flag from `process.execArgv`; the
 * permission model denies /proc/self/cmdline), so a genome cannot forge a lower figure. A run that ends without
 * Node's exit event (a signal, an abort, listeners removed) reports nothing: its CPU time is unknown.
 */
import { randomBytes } from 'node:crypto';

export interface CpuReport {
  /** Flags for node, before the genome's file. */
  nodeArgs: string[];
  /** The CPU time the run reported (ms) and its stderr without the report, or null when it reported none. */
  read(stderr: string): { cpuMs: number | null; stderr: string };
}

const preload = (key: string) => `import { writeSync } from 'node:fs';
const cpu = process.cpuUsage.bind(process);
const write = writeSync;
const start = cpu();
const own = process.execArgv.findIndex((a) => a.includes(${JSON.stringify(key)}));
if (own >= 0) process.execArgv.splice(own, 1);
process.on('exit', () => {
  const u = cpu(start);
  try { write(2, '\\n${key} ' + (u.user + u.system) + '\\n'); } catch {}
});
`;

export function cpuReport(): CpuReport {
  const key = `ouroboros-cpu-${randomBytes(12).toString('hex')}`;
  const line = new RegExp(`\\n?${key} (\\d+)\\n?`, 'g');
  return {
    nodeArgs: [`--import=data:text/javascript,${encodeURIComponent(preload(key))}`],
    read(stderr) {
      let micros: number | null = null;
      const rest = stderr.replace(line, (_all, us: string) => {
        micros = Number(us);
        return '';
      });
      return { cpuMs: micros === null ? null : Math.round(micros / 10) / 100, stderr: rest };
    },
  };
}
