'use client';
/**
 * The actions, as mutations: each one, whether it succeeded or was refused, invalidates what it may have changed,
 * so the widgets show its effect at once instead of at the next poll. A 401 asks for the token (see client.ts).
 */
import { useMutation, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { ApiClient, EvolveOptions } from '../api';
import { keys } from './keys';

/** Everything an action on the organism changes: its status, runs, logs, history, evolution, and the organism list. */
export function invalidateOrganism(client: QueryClient, api: ApiClient): Promise<void> {
  return Promise.all(
    [keys.status(api), keys.runs(api), keys.logs(api), keys.genomes(api), keys.evolution(api), keys.organisms(api)].map((queryKey) =>
      client.invalidateQueries({ queryKey }),
    ),
  ).then(() => undefined);
}

function useOrganismAction<A, R>(api: ApiClient, action: (arg: A) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({ mutationFn: action, onSettled: () => invalidateOrganism(client, api) });
}

export const useChaosMutation = (api: ApiClient) => useOrganismAction(api, (type: string) => api.triggerChaos(type));
export const useRollbackMutation = (api: ApiClient) => useOrganismAction(api, (id: string) => api.rollback(id));
export const useEvolveMutation = (api: ApiClient) => useOrganismAction(api, (options: EvolveOptions) => api.evolve!(options));
export const useDecideProposalMutation = (api: ApiClient) => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, decision }: { id: number; decision: 'approve' | 'reject' }) => api.decideProposal!(id, decision),
    onSettled: () => Promise.all([invalidateOrganism(client, api), client.invalidateQueries({ queryKey: keys.proposals(api) })]),
  });
};
export const useCancelEvolutionMutation = (api: ApiClient) => useOrganismAction(api, () => api.cancelEvolution!());
