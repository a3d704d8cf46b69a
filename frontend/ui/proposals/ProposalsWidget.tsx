'use client';
import { errorMessage, type ApiClient } from '@/lib/api';
import { useDecideProposalMutation } from '@/lib/query/mutations';
import { useProposals } from '@/lib/query/useProposals';
import { useLive, useStatus } from '@/lib/query/useStatus';
import { ProposalsPanel } from './ProposalsPanel';

/**
 * The proposals panel, shown only when it has something to say: the organism is in approval mode (HEAL_MODE=propose,
 * or its manifest's healMode), or a proposal waits. A backend without approval mode shows nothing.
 */
export function ProposalsWidget({ api }: { api: ApiClient }) {
  const { data: status } = useStatus(api);
  const live = useLive(api);
  const wanted = status !== undefined && (status.healMode === 'propose' || status.pendingProposals > 0);
  const proposals = useProposals(api, wanted);
  const decide = useDecideProposalMutation(api);
  const pending = proposals.data?.proposals ?? null;
  if (!status || (!wanted && !(pending && pending.length > 0))) return null;
  return (
    <ProposalsPanel
      proposals={pending}
      healMode={status.healMode}
      error={proposals.error ? errorMessage(proposals.error) : undefined}
      disabled={!live}
      onDecide={(id, decision) => decide.mutateAsync({ id, decision })}
    />
  );
}
