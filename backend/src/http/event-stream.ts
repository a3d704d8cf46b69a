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
  app.addHook('preClose', (done) => {
    hub.close();
    done();
  });
};

export const eventStreams = fp(plugin, { name: 'event-streams' });
