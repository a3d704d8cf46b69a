/**
 * A command line for a test's child process that cannot outlive the test: under setpriv --pdeathsig KILL (util-linux)
 * the child is killed when the process that started it dies, even by SIGKILL, as the sandbox does for organisms. A
 * test worker killed at a timeout left servers and endless organism runs behind, each a core's worth of load on a
 * shared machine for as long as nobody noticed. Without setpriv, the command as it was.
 */
import { existsSync } from 'node:fs';

const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p)) ?? null;

export function orphanProof(command: string, args: readonly string[]): { command: string; args: string[] } {
  return SETPRIV ? { command: SETPRIV, args: ['--pdeathsig', 'KILL', '--', command, ...args] } : { command, args: [...args] };
}
