/**
 * A value the dashboard keeps in the query cache without fetching it (the connection, the refused token), so every
 * widget that reads it re-renders when a query function or a mutation changes it; with `select`, only when the
 * part it reads changes (the connection's last contact moves every second, whether it is live rarely does).
 */
import { useQuery, useQueryClient, type QueryClient, type QueryKey } from '@tanstack/react-query';

const same = <T,>(value: T) => value;

export function useCacheValue<T, S = T>(key: QueryKey, initial: T, select: (value: T) => S = same as (value: T) => S): S {
  const client = useQueryClient();
  const { data } = useQuery({
    queryKey: key,
    queryFn: () => client.getQueryData<T>(key) ?? initial,
    initialData: initial,
    enabled: false,
    staleTime: Infinity,
    gcTime: Infinity,
    select,
  });
  return data as S;
}

export function updateCacheValue<T>(client: QueryClient, key: QueryKey, initial: T, update: (prev: T) => T): void {
  client.setQueryData<T>(key, (prev) => update(prev ?? initial));
}
