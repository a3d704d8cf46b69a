'use client';

import { useState } from 'react';

/**
 * Asks once for the backend's access token, and keeps it for this tab only. Shown when the backend answers
 * 401; a stored token can be forgotten.
 */
export function TokenPanel({
  needed,
  stored,
  onSave,
  onForget,
}: {
  needed: boolean;
  stored: boolean;
  onSave: (token: string) => void;
  onForget: () => void;
}) {
  const [value, setValue] = useState('');
  if (!needed) {
    return stored ? (
      <p className="text-xs text-muted">
        Access token set for this tab.{' '}
        <button type="button" onClick={onForget} className="underline hover:text-soft">
          Forget it
        </button>
      </p>
    ) : null;
  }
  return (
    <form
      data-testid="token-panel"
      className="flex flex-wrap items-center gap-2 border border-healing/60 bg-healing/10 p-2 text-xs text-healing"
      onSubmit={(e) => {
        e.preventDefault();
        if (value.trim() !== '') onSave(value.trim());
        setValue('');
      }}
    >
      <label htmlFor="access-token" className="w-full sm:w-auto">
        {stored ? 'The backend refused the access token of this tab. ' : 'This backend needs an access token to change code. '}
        Enter its OUROBOROS_TOKEN (kept for this tab only):
      </label>
      <input
        id="access-token"
        type="password"
        autoComplete="off"
        value={value}
        onChange={(e) => setValue(e.target.value)}
        className="min-w-0 flex-1 border border-edge bg-panel px-2 py-1 text-soft"
      />
      <button type="submit" className="border border-healing px-3 py-1 font-bold hover:bg-healing/20">
        Unlock
      </button>
    </form>
  );
}
