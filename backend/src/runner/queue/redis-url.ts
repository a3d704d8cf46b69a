import type { RedisOptions } from 'ioredis';

/**
 * REDIS_URL as ioredis's options: redis://[user:password@]host[:port][/db], rediss:// for TLS. `family: 0` looks the
 * host up over IPv4 and IPv6 alike: a platform's private network (Railway's) may have only IPv6 addresses.
 */
export function redisOptions(url: string): RedisOptions {
  const u = new URL(url);
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new RangeError(`${redactRedisUrl(url)} is not a redis:// or rediss:// URL`);
  const db = u.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) throw new RangeError(`${redactRedisUrl(url)}: the path must be a database number, such as /0`);
  return {
    host: u.hostname.replace(/^\[(.*)\]$/, '$1') || 'localhost',
    port: u.port ? Number(u.port) : 6379,
    family: 0,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(db !== '' ? { db: Number(db) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/** The URL without its credentials: what logs and /health may show. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.password || u.username ? '***@' : ''}${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return '(an invalid Redis URL)';
  }
}
