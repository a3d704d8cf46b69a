/** The Redis names the server and the workers share: both sides must agree on them. */

/** The BullMQ queue of organism runs. */
export const RUN_QUEUE = 'ouroboros-runs';
/** Pub/sub channel on which the server asks whichever worker runs a job to kill it (the message is the job id). */
export const CANCEL_CHANNEL = 'ouroboros:runs:cancel';
/** Each worker's heartbeat key (`<prefix><id>`, a JSON WorkerBeat, expiring): which workers the server can count on. */
export const WORKER_KEY_PREFIX = 'ouroboros:worker:';
