'use client';
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useState } from 'react';
import { forgetToken, readToken, saveToken } from '../token';
import { updateCacheValue, useCacheValue } from './cache-value';
import { keys } from './keys';

/**
 * The access token prompt: needed once the backend refused an action (401) or refuses to answer without one. The
 * token is kept in this tab's sessionStorage (token.ts), never in the URL; saving it asks for everything again.
 */
export function useAccessToken(unauthorized: boolean) {
  const client = useQueryClient();
  const refused = useCacheValue(keys.accessRefused, false);
  const [stored, setStored] = useState(false);
  useEffect(() => setStored(readToken() !== null), []);
  const save = useCallback(
    (token: string) => {
      saveToken(token);
      setStored(true);
      updateCacheValue(client, keys.accessRefused, false, () => false);
      void client.invalidateQueries();
    },
    [client],
  );
  const forget = useCallback(() => {
    forgetToken();
    setStored(false);
  }, []);
  return { needed: refused || unauthorized, stored, save, forget };
}
