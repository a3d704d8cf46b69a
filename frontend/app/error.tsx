'use client';

import { useEffect } from 'react';

export default function ErrorPage({ error, retry }: { error: unknown; retry: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  const message = error instanceof Error ? error.message : String(error);
  return (
    <main className="flex min-h-dvh items-center justify-center p-6">
      <section
        role="alert"
        className="w-full max-w-lg border border-sick/60 bg-panel p-5 text-sm shadow-[0_0_24px_rgb(255_84_112/0.15)]"
      >
        <h1 className="mb-2 text-base font-bold text-sick">The dashboard crashed while rendering.</h1>
        <p className="mb-4 break-words text-soft">{message}</p>
        <button
          type="button"
          onClick={() => retry()}
          className="border border-phosphor/60 px-3 py-1.5 text-phosphor hover:bg-phosphor/10"
        >
          Try again
        </button>
      </section>
    </main>
  );
}
