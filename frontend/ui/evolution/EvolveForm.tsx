'use client';

import { useState } from 'react';
import { ApiError, errorMessage, type ApiClient, type EvolveOptions } from '@/lib/api';
import { useCancelEvolutionMutation, useEvolveMutation } from '@/lib/query/mutations';
import type { EvolutionView } from '@ouroboros/contract';
import { NumberField } from '@/ui/shell/NumberField';

/** What the form's fields ask for; an empty or invalid field leaves the backend's default. */
export function evolveOptions(view: EvolutionView, generations: string, population: string, useLlm: boolean): EvolveOptions {
  const options: EvolveOptions = {};
  const g = Number.parseInt(generations, 10);
  const p = Number.parseInt(population, 10);
  if (Number.isInteger(g) && g > 0) options.generations = g;
  if (Number.isInteger(p) && p > 0) options.population = p;
  if (view.sources.includes('llm') && !useLlm) options.sources = ['operators'];
  return options;
}

/** The Evolve control (generations, population, the LLM source) and Cancel while a run is on; a refusal in the API's words. */
export function EvolveForm({ api, view, disabled }: { api: ApiClient; view: EvolutionView; disabled: boolean }) {
  const evolve = useEvolveMutation(api);
  const cancel = useCancelEvolutionMutation(api);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [generations, setGenerations] = useState<string>('');
  const [population, setPopulation] = useState<string>('');
  const [useLlm, setUseLlm] = useState(true);
  const pending = evolve.isPending ? 'start' : cancel.isPending ? 'cancel' : null;

  const run = async (action: () => Promise<unknown>) => {
    setRefusal(null);
    try {
      await action();
    } catch (e) {
      setRefusal(`${e instanceof ApiError && e.status !== null ? `HTTP ${e.status}: ` : ''}${errorMessage(e)}`);
    }
  };

  return (
    <>
      <form
        className="flex flex-wrap items-end gap-2 text-xs"
        onSubmit={(e) => {
          e.preventDefault();
          void run(() => evolve.mutateAsync(evolveOptions(view, generations, population, useLlm)));
        }}
      >
        <NumberField label="generations" min={1} max={1000} value={generations} placeholder={String(view.defaults.generations)} onChange={setGenerations} />
        <NumberField label="population" min={1} max={100} value={population} placeholder={String(view.defaults.population)} onChange={setPopulation} />
        {view.sources.includes('llm') ? (
          <label className="flex items-center gap-1 text-muted">
            <input type="checkbox" checked={useLlm} onChange={(e) => setUseLlm(e.target.checked)} /> LLM
          </label>
        ) : (
          <span className="text-muted" title="Set LLM_BASE_URL and LLM_MODEL for the LLM source">
            built-in operators only (no LLM)
          </span>
        )}
        <button
          type="submit"
          data-testid="evolve-button"
          disabled={disabled || view.running || pending !== null}
          className="border border-healing/70 px-3 py-1 font-bold text-healing uppercase hover:bg-healing/15 disabled:cursor-not-allowed disabled:opacity-40"
        >
          {pending === 'start' ? '…' : 'Evolve'}
        </button>
        {view.running ? (
          <button
            type="button"
            data-testid="cancel-evolution"
            disabled={disabled || pending !== null}
            onClick={() => void run(() => cancel.mutateAsync())}
            className="border border-sick/70 px-3 py-1 text-sick uppercase hover:bg-sick/15 disabled:cursor-not-allowed disabled:opacity-40"
          >
            {pending === 'cancel' ? '…' : 'Cancel'}
          </button>
        ) : null}
      </form>
      {refusal ? (
        <div role="alert" data-testid="evolve-feedback" className="border border-sick/60 bg-sick/10 p-2 text-xs text-soft">
          {refusal}
        </div>
      ) : null}
    </>
  );
}
