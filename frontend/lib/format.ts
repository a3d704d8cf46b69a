/** Small, deterministic formatters shared by the panels. */

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** "14:03:27" in local time, or "-" for a missing/invalid time. */
export function formatClock(iso: string | number | null | undefined, withMs = false): string {
  if (iso === null || iso === undefined) return '-';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '-';
  const base = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return withMs ? `${base}.${pad(d.getMilliseconds(), 3)}` : base;
}

/** "2025-11-24 14:03:27" in local time. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '-';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '-';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${formatClock(iso)}`;
}

/** "42 ms", "1.25 s", or "-" when unknown. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '-';
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

/** "97.5%" from a 0..1 rate, or "-" before the first run. */
export function formatPercent(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return '-';
  const pct = rate * 100;
  return `${pct === 100 || pct === 0 ? pct.toFixed(0) : pct.toFixed(1)}%`;
}

/** "3d 04h 05m", "1h 02m 03s", "4m 05s", "12s". */
export function formatUptime(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '-';
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return `${d}d ${pad(h)}h ${pad(m)}m`;
  if (h > 0) return `${h}h ${pad(m)}m ${pad(sec)}s`;
  if (m > 0) return `${m}m ${pad(sec)}s`;
  return `${sec}s`;
}

/** "5s ago", "3m ago" relative to `now`. */
export function formatAgo(iso: string | number | null | undefined, now: number = Date.now()): string {
  if (iso === null || iso === undefined) return '-';
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return '-';
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

/** What the backend says in place of an empty code span (older records have the empty span itself). */
export const EMPTY_LINE = '(empty line)';

/**
 * A text from the backend (a summary, a chaos description) with its empty code spans (two backticks with nothing
 * between, which read as a stray mark) said in words. Triple backticks are left alone.
 */
export function withoutEmptyCode(text: string): string {
  return text.replace(/(?<!`)``(?!`)/g, EMPTY_LINE);
}

export function shortId(id: string): string {
  return id.length > 8 ? id.slice(0, 8) : id;
}
