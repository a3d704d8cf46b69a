/**
 * Signals a run's whole process group (its leader was started detached, so the group's id is its pid): whatever the
 * organism forked goes with it. Quiet when the group is already gone (ESRCH) or not ours to signal (EPERM).
 */
export function killGroup(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // gone already, or not ours
  }
}
