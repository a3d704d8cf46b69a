/**
 * Simulated dashboards: each polls its organism's /status and /logs?since=<the newest entry it has seen> once a
 * second, on its own keep-alive connection, as the God View does. autocannon drives them (rate-limited, loopback).
 */
import autocannon from 'autocannon';

/** Dashboards per autocannon instance: its connections fire in the same tick, so groups start evenly across a second. */
const GROUP = 10;

export interface DashboardTally {
  dashboards: number;
  sent: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Status codes other than 2xx, with how often each came. */
  statuses: Record<string, number>;
  latencyP99Ms: number;
  latencyMaxMs: number;
}

export interface Dashboards {
  /** Stops every dashboard and returns what they saw. */
  stop(): Promise<DashboardTally>;
  /** Requests answered so far. */
  answered(): number;
}

interface Context {
  since?: number;
}

export function startDashboards(base: string, organisms: readonly string[], count: number, maxSeconds: number): Dashboards {
  const tally: DashboardTally = { dashboards: count, sent: 0, ok: 0, non2xx: 0, errors: 0, timeouts: 0, statuses: {}, latencyP99Ms: 0, latencyMaxMs: 0 };
  const latencies: number[] = [];
  const instances: autocannon.Instance[] = [];
  const results: Promise<autocannon.Result>[] = [];
  const timers: NodeJS.Timeout[] = [];
  let stopped = false;
  const groups = Math.ceil(count / GROUP);
  for (let g = 0; g < groups; g++) {
    const size = Math.min(GROUP, count - g * GROUP);
    const prefix = `/organisms/${organisms[g % organisms.length]}`;
    const launch = () => {
      if (stopped) return;
      let settle: (r: autocannon.Result) => void = () => {};
      let fail: (err: unknown) => void = () => {};
      results.push(
        new Promise<autocannon.Result>((resolve, reject) => {
          settle = resolve;
          fail = reject;
        }),
      );
      const instance = autocannon({
        url: base,
        connections: size,
        // Two requests a second per connection: /status, then /logs?since=, in turn.
        connectionRate: 2,
        // Longer than the soak; stop() ends it.
        duration: maxSeconds,
        timeout: 10,
        ignoreCoordinatedOmission: true,
        initialContext: {},
        requests: [
          { method: 'GET', path: `${prefix}/status` },
          {
            method: 'GET',
            setupRequest: (req, context) => {
              const since = (context as Context).since;
              return { ...req, path: since === undefined ? `${prefix}/logs?limit=100` : `${prefix}/logs?since=${since}` };
            },
            onResponse: (status, body, context) => {
              if (status !== 200) return;
              try {
                (context as Context).since = (JSON.parse(body) as { lastSeq: number }).lastSeq;
              } catch {
                // counted as answered; the next poll asks again from the same place
              }
            },
          },
        ],
      }, (err: unknown, result: autocannon.Result) => (err ? fail(err) : settle(result)));
      instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
        if (statusCode >= 200 && statusCode < 300) {
          tally.ok++;
          latencies.push(responseTime);
          if (latencies.length > 200_000) latencies.splice(0, 100_000);
        } else {
          tally.non2xx++;
          tally.statuses[statusCode] = (tally.statuses[statusCode] ?? 0) + 1;
        }
        if (responseTime > tally.latencyMaxMs) tally.latencyMaxMs = responseTime;
      });
      instances.push(instance);
    };
    timers.push(setTimeout(launch, (g * 1000) / groups));
  }
  return {
    answered: () => tally.ok + tally.non2xx,
    async stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      for (const i of instances) i.stop();
      for (const r of await Promise.all(results)) {
        tally.sent += r.requests.sent;
        tally.errors += r.errors;
        tally.timeouts += r.timeouts;
      }
      latencies.sort((a, b) => a - b);
      tally.latencyP99Ms = latencies.length > 0 ? latencies[Math.floor(latencies.length * 0.99)]! : 0;
      return tally;
    },
  };
}
