import { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';
import { readBeats, type WorkerBeat } from './beat.js';
import { bounded } from './bounded.js';
import { WORKER_KEY_PREFIX } from './keys.js';
import { redisOptions } from './redis-url.js';

export interface RedisWatchOptions {
  /** Between two checks (PING, and the workers' beats). */
  intervalMs?: number;
  /** A check slower than this counts as a failure. */
  timeoutMs?: number;
}

/**
 * Whether the queue's Redis answers, and which workers beat on it: checked every second from a connection of its own
 * that never queues a command while disconnected, so that a run never waits on a Redis that is gone. Emits 'change'
 * when Redis becomes reachable or unreachable.
 */
export class RedisWatch extends EventEmitter {
  private readonly client: Redis;
  private timer: NodeJS.Timeout | null = null;
  private checking: Promise<void> | null = null;
  reachable = false;
  error: string | null = 'not checked yet';
  checkedAt: Date | null = null;
  workers: WorkerBeat[] = [];
  private readonly intervalMs: number;
  private readonly timeoutMs: number;

  constructor(url: string, o: RedisWatchOptions = {}) {
    super();
    this.intervalMs = o.intervalMs ?? 1000;
    this.timeoutMs = o.timeoutMs ?? 2000;
    this.client = new Redis({
      ...redisOptions(url),
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: this.timeoutMs,
      // Reconnect at a steady pace: Redis back after an outage is seen within about a second.
      retryStrategy: () => Math.min(this.intervalMs, 1000),
    });
    // ioredis reports each failed reconnection as an 'error'; the check below says what matters.
    this.client.on('error', () => {});
  }

  /** Checks once now (awaited: the first run knows where to go), then every interval. */
  async start(): Promise<void> {
    this.client.connect().catch(() => {});
    await this.check();
    this.timer ??= setInterval(() => void this.check(), this.intervalMs);
    this.timer.unref();
  }

  /** Whether any worker beat lately. */
  get workersSeen(): boolean {
    return this.workers.length > 0;
  }

  check(): Promise<void> {
    this.checking ??= this.checkOnce().finally(() => (this.checking = null));
    return this.checking;
  }

  /** Publishes on a channel; false when Redis could not take it. */
  async publish(channel: string, message: string): Promise<boolean> {
    try {
      await this.client.publish(channel, message);
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.client.disconnect();
  }

  private async checkOnce(): Promise<void> {
    const was = this.reachable;
    try {
      await bounded(this.client.ping(), this.timeoutMs);
      this.workers = await bounded(this.readWorkers(), this.timeoutMs);
      this.reachable = true;
      this.error = null;
    } catch (err) {
      this.reachable = false;
      this.error = (err as Error).message;
    }
    this.checkedAt = new Date();
    if (was !== this.reachable) this.emit('change', this.reachable);
  }

  private async readWorkers(): Promise<WorkerBeat[]> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await this.client.scan(cursor, 'MATCH', `${WORKER_KEY_PREFIX}*`, 'COUNT', 1000);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== '0');
    return keys.length === 0 ? [] : readBeats(await this.client.mget(keys));
  }
}
