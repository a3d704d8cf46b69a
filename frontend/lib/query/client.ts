/**
 * The dashboard's QueryClient. Every answer polls on its own (one second for what changes with every run), so a
 * failed request is simply asked again at the next poll: no retry loop inside a poll, and the error shows at once.
 */
import { MutationCache, QueryClient } from '@tanstack/react-query';
import { needsToken } from '../api';
import { keys } from './keys';

export const POLL_INTERVAL_MS = 1000;
/** The genome history's run counts go stale for at most this long while nothing else changes. */
export const GENOME_REFRESH_MS = 10_000;
export const GENOME_PAGE = 50;
export const EVOLUTION_POLL_MS = 1000;
export const EVOLUTION_IDLE_POLL_MS = 5000;

export function createQueryClient(): QueryClient {
  const client: QueryClient = new QueryClient({
    // Any refused action (401) asks for the access token, whichever widget fired it.
    mutationCache: new MutationCache({
      onError: (e) => {
        if (needsToken(e)) client.setQueryData(keys.accessRefused, true);
      },
    }),
    defaultOptions: {
      queries: {
        retry: false,
        // The backend being unreachable is what the connection indicator reports; the browser's own idea of
        // being online must not freeze the polls.
        networkMode: 'always',
        refetchIntervalInBackground: false,
      },
      mutations: { retry: false, networkMode: 'always' },
    },
  });
  return client;
}
