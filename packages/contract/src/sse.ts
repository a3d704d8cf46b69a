/**
 * The framing of GET /events (Server-Sent Events), read as the HTML standard says: lines end with CRLF, LF or CR;
 * `:` starts a comment; a blank line dispatches, and commits the `id` as the cursor even without data. Shared by
 * the dashboard, which reads the stream with fetch (EventSource cannot send an Authorization header), and the
 * backend's tests.
 */
export interface SseMessage {
  id: string | null;
  event: string;
  data: string;
}

export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private event = '';
  private idBuffer: string | null = null;
  /** The id of the last event dispatched: what a client sends back as Last-Event-ID. */
  lastEventId: string | null = null;
  retry: number | null = null;

  push(text: string): SseMessage[] {
    this.buffer += text;
    // A CR at the very end may be the first half of a CRLF: keep it for the next chunk.
    const upTo = this.buffer.endsWith('\r') ? this.buffer.length - 1 : this.buffer.length;
    const last = Math.max(this.buffer.lastIndexOf('\n', upTo - 1), this.buffer.lastIndexOf('\r', upTo - 1));
    if (last === -1) return [];
    const lines = this.buffer.slice(0, last + 1).split(/\r\n|\r|\n/);
    lines.pop();
    this.buffer = this.buffer.slice(last + 1);
    const out: SseMessage[] = [];
    for (const line of lines) {
      if (line === '') {
        // An id counts once its event is complete: a frame cut short must be sent again.
        this.lastEventId = this.idBuffer;
        if (this.data.length > 0) out.push({ id: this.lastEventId, event: this.event || 'message', data: this.data.join('\n') });
        this.data = [];
        this.event = '';
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'data') this.data.push(value);
      else if (field === 'event') this.event = value;
      else if (field === 'id' && !value.includes('\0')) this.idBuffer = value;
      else if (field === 'retry' && /^\d+$/.test(value)) this.retry = Number(value);
    }
    return out;
  }
}
