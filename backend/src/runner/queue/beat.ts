import { z } from 'zod';

/** A worker's heartbeat (under WORKER_KEY_PREFIX + id, expiring after BEAT_TTL_S): what /health lists. */
export const WorkerBeatSchema = z.object({
  id: z.string(),
  host: z.string(),
  concurrency: z.number().int().min(1),
  /** Jobs it runs now. */
  active: z.number().int().min(0),
});
export type WorkerBeat = z.infer<typeof WorkerBeatSchema>;

/** How often a worker beats, and how long a beat counts: three beats missed and the worker is no longer seen. */
export const BEAT_MS = 3000;
export const BEAT_TTL_S = 10;

/** The beats read from Redis, the malformed ones left out (a worker of another version, a stray key). */
export function readBeats(values: (string | null)[]): WorkerBeat[] {
  const beats: WorkerBeat[] = [];
  for (const v of values) {
    if (v === null) continue;
    try {
      const parsed = WorkerBeatSchema.safeParse(JSON.parse(v));
      if (parsed.success) beats.push(parsed.data);
    } catch {
      // not JSON: not a worker of ours
    }
  }
  return beats.sort((a, b) => a.id.localeCompare(b.id));
}
