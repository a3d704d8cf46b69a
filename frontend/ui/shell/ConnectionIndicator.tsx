import type { Connection } from '@/lib/query/connection';
import { formatClock } from '@/lib/format';

const STYLE: Record<Connection, { dot: string; text: string; label: string }> = {
  connecting: { dot: 'bg-healing animate-pulse', text: 'text-healing', label: 'connecting' },
  connected: { dot: 'bg-healthy shadow-[0_0_8px_#3dff8f]', text: 'text-healthy', label: 'connected' },
  reconnecting: { dot: 'bg-healing animate-pulse', text: 'text-healing', label: 'reconnecting' },
  offline: { dot: 'bg-sick', text: 'text-sick', label: 'offline' },
};

/** Connected, as the stream or the polls follow the organism. */
const TRANSPORT_LABEL = { stream: 'live', polling: 'polling' } as const;

/**
 * The little pill in the header: live (the event stream is open), polling (connected, the stream is not), connecting,
 * reconnecting or offline.
 */
export function ConnectionIndicator({
  connection,
  lastContactAt,
  transport = 'polling',
  streamError = null,
}: {
  connection: Connection;
  lastContactAt: number | null;
  transport?: 'stream' | 'polling';
  streamError?: string | null;
}) {
  const s = connection === 'connected' ? { ...STYLE.connected, label: TRANSPORT_LABEL[transport] } : STYLE[connection];
  const contact = lastContactAt === null ? 'No answer from the backend yet' : `Last answer at ${formatClock(lastContactAt)}`;
  const how = transport === 'stream' ? 'Events arrive as they happen.' : `Polling every second${streamError ? ` (the event stream: ${streamError})` : ''}.`;
  const title = connection === 'connected' ? `${contact}. ${how}` : contact;
  return (
    <div
      data-testid="connection"
      data-connection={connection}
      data-transport={transport}
      title={title}
      className={`flex items-center gap-2 border border-current/40 px-2 py-1 text-xs tracking-widest uppercase ${s.text}`}
    >
      <span aria-hidden="true" className={`inline-block size-2.5 rounded-full ${s.dot}`} />
      <span role="status" aria-live="polite">
        {s.label}
      </span>
    </div>
  );
}

/** The banner that says, in words, that the backend is gone (and that the page will recover). */
export function ConnectionBanner({
  connection,
  apiUrl,
  lastContactAt,
  error,
}: {
  connection: Connection;
  apiUrl: string;
  lastContactAt: number | null;
  error: string | null;
}) {
  if (connection === 'connected') return null;
  if (connection === 'connecting' && !error) return null;
  const offline = connection === 'offline';
  const since = lastContactAt === null ? 'It has not answered since this page opened.' : `Last answer at ${formatClock(lastContactAt)}.`;
  return (
    <div
      role="alert"
      data-testid="connection-banner"
      className={`border px-3 py-2 text-sm ${offline ? 'border-sick/70 bg-sick/10 text-sick' : 'border-healing/70 bg-healing/10 text-healing'}`}
    >
      <p className="font-bold">
        {offline
          ? `Backend offline: ${apiUrl} does not answer.`
          : connection === 'reconnecting'
            ? `Lost contact with ${apiUrl}; reconnecting…`
            : `Trying to reach ${apiUrl}…`}
      </p>
      <p className="text-soft">
        {since} Polling continues every second; the page recovers by itself when the backend returns.
        {offline ? ' Values shown below are the last ones received.' : ''}
      </p>
      {error ? <p className="mt-1 text-xs break-words text-muted">{error}</p> : null}
    </div>
  );
}
