/**
 * A value the dashboard keeps in the query cache without fetching it (the connection, the refused token), so every
 * widget that reads it re-renders when a query function or a mutation changes it.
 */
import { useQuery, useQueryClient, type QueryClient, type QueryKey } from '@tanstack/react-query';

export function useCacheValue<T>(key: QueryKey, initial: T): T {
  const client = useQueryClient();
  const { data } = useQuery({
    queryKey: key,
    queryFn: () => client.getQueryData<T>(key) ?? initial,
    initialData: initial,
    enabled: false,
    staleTime: Infinity,
    gcTime: Infinity,
  });
  return data as T;
}

export function updateCacheValue<T>(client: QueryClient, key: QueryKey, initial: T, update: (prev: T) => T): void {
  client.setQueryData<T>(key, (prev) => update(prev ?? initial));
}
