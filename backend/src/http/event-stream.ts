/**
 * The connected event streams: one hub for the server, shared by GET /events and GET /organisms/:name/events, fed by
 * the services' journal. Streams are ended before the server stops listening (a stream never ends by itself, and the
 * server would wait for it).
 */
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { EventJournal } from '../events/journal.js';
import { StreamHub } from '../events/hub.js';

declare module 'fastify' {
  interface FastifyInstance {
    streams: StreamHub;
    /** Open streams per client address: one address cannot hold the server's sockets and memory. */
    streamSlots: StreamSlots;
  }
}

/** Counts the streams each client address holds open, up to a bound. */
export class StreamSlots {
  private readonly held = new Map<string, number>();

  constructor(readonly max: number) {}

  /** A slot for `address`, with the function that gives it back; null when the address holds `max` already. */
  take(address: string): (() => void) | null {
    const n = this.held.get(address) ?? 0;
    if (n >= this.max) return null;
    this.held.set(address, n + 1);
    let given = false;
    return () => {
      if (given) return;
      given = true;
      const left = (this.held.get(address) ?? 1) - 1;
      if (left > 0) this.held.set(address, left);
      else this.held.delete(address);
    };
  }
}

const plugin: FastifyPluginAsync<{ journal: EventJournal }> = async (app, { journal }) => {
  const { heartbeatMs, clientBufferBytes } = app.config.events;
  const hub = new StreamHub(journal, {
    heartbeatMs,
    clientBufferBytes,
    onDrop: ({ unreadBytes, filter }) =>
      app.log.info({ unreadBytes, organism: filter.organism }, `dropped an event stream whose client stopped reading (${unreadBytes} bytes unread); it resumes from its cursor when it reconnects`),
  });
  app.decorate('streams', hub);
  app.decorate('streamSlots', new StreamSlots(app.config.events.maxStreamsPerClient));
  app.addHook('preClose', (done) => {
    hub.close();
    done();
  });
};

export const eventStreams = fp(plugin, { name: 'event-streams' });
