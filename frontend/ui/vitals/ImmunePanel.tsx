'use client';

import { useEffect, useState } from 'react';
import { errorMessage, type ApiClient } from '@/lib/api';
import { formatClock, shortId } from '@/lib/format';
import type { CounterexamplesResponse } from '@/lib/schemas';
import { Note, Panel } from '@/ui/shell/Panel';
import { VerdictBadge } from '@/ui/shell/badges';
import { InputText } from './TrustSection';

/**
 * The immune memory: every input that exposed a bug its genome's suite missed, shrunk, newest first. Fetched when the
 * suite's fingerprint changes (a new counterexample changes it), so it costs nothing while nothing is learnt.
 */
export function ImmunePanel({ api, fingerprint }: { api: ApiClient; fingerprint: string | null }) {
  const [memory, setMemory] = useState<CounterexamplesResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = api.counterexamples;

  useEffect(() => {
    if (!load) return;
    const controller = new AbortController();
    load(controller.signal)
      .then((m) => {
        setMemory(m);
        setError(null);
      })
      .catch((e: unknown) => {
        if (!controller.signal.aborted) setError(errorMessage(e));
      });
    return () => controller.abort();
  }, [load, fingerprint]);

  if (!load) return null;
  const suite = memory?.suite;
  return (
    <Panel
      title="Immune memory"
      testId="immune"
      extra={suite ? <span>suite of {suite.size}: {suite.edge} edge · {suite.property} property · {suite.regression} remembered</span> : null}
    >
      {error ? <Note tone="error">{error}</Note> : null}
      {memory === null ? (
        error ? null : <Note>Loading the immune memory…</Note>
      ) : memory.count === 0 ? (
        <Note>No counterexample yet: no verified genome has failed an input its suite lacked.</Note>
      ) : (
        <ol className="flex max-h-64 flex-col gap-1 overflow-y-auto text-xs" aria-label="Counterexamples, newest first">
          {[...memory.counterexamples].reverse().map((c) => (
            <li key={c.id} data-testid="counterexample" data-id={c.id} className="border-l-2 border-chaos/60 pl-2">
              <p className="flex flex-wrap items-center gap-x-2 text-muted">
                <span className="font-bold text-chaos">#{c.id}</span>
                <VerdictBadge verdict={c.verdict} />
                <span>demoted {shortId(c.genomeId)} at {formatClock(c.createdAt)}</span>
                <span>
                  shrunk {c.originalSize} → {c.shrunkSize} characters in {c.shrinkRuns} runs
                </span>
              </p>
              <InputText input={c.input} size={c.shrunkSize} />
            </li>
          ))}
        </ol>
      )}
    </Panel>
  );
}
