'use client';

import { useState } from 'react';
import type { Proposal, ProposalDecision } from '@ouroboros/contract';
import { ApiError, errorMessage } from '@/lib/api';
import { parseUnifiedDiff } from '@/lib/diff';
import { formatDateTime, formatMs, shortId } from '@/lib/format';
import { DiffBody } from '@/ui/shell/DiffBody';
import { Note, Panel } from '@/ui/shell/Panel';

export type Decision = 'approve' | 'reject';

type Feedback = { id: number; outcome: 'ok' | 'refused'; message: string };

/**
 * Approval mode: each verified change that waits for a person, with its diff, what caused it and how it was verified,
 * and the two buttons that decide it. What the backend answered (the new generation, or why it refused) shows below.
 */
export function ProposalsPanel({
  proposals,
  healMode,
  error,
  disabled = false,
  onDecide,
}: {
  proposals: Proposal[] | null;
  healMode: 'auto' | 'propose';
  error?: string | undefined;
  disabled?: boolean;
  onDecide: (id: number, decision: Decision) => Promise<ProposalDecision>;
}) {
  const [busy, setBusy] = useState<{ id: number; decision: Decision } | null>(null);
  const [feedback, setFeedback] = useState<Feedback | null>(null);

  const decide = async (id: number, decision: Decision) => {
    setBusy({ id, decision });
    setFeedback(null);
    try {
      const r = await onDecide(id, decision);
      setFeedback({ id, outcome: 'ok', message: `Proposal #${id} ${r.message}.` });
    } catch (e) {
      const http = e instanceof ApiError && e.status !== null ? `HTTP ${e.status}${e.code ? ` ${e.code}` : ''}: ` : '';
      setFeedback({ id, outcome: 'refused', message: `Proposal #${id} was not ${decision === 'approve' ? 'approved' : 'rejected'}: ${http}${errorMessage(e)}` });
    } finally {
      setBusy(null);
    }
  };

  const mode = healMode === 'propose' ? 'repairs wait for approval' : 'repairs are promoted at once';
  return (
    <Panel title="Proposals" testId="proposals" extra={<span>{proposals ? `${proposals.length} pending · ${mode}` : mode}</span>}>
      {proposals === null ? (
        error ? (
          <Note tone="error">Cannot load the proposals: {error} Retrying.</Note>
        ) : (
          <Note>Loading the proposals…</Note>
        )
      ) : proposals.length === 0 ? (
        <Note>Nothing waits for approval. A repair the ladder finds and verifies will appear here before it is promoted.</Note>
      ) : (
        <ul className="flex flex-col gap-4">
          {proposals.map((p) => (
            <ProposalItem key={p.id} p={p} busy={busy} disabled={disabled || busy !== null} onDecide={decide} />
          ))}
        </ul>
      )}
      {feedback ? (
        <p
          data-testid="proposal-feedback"
          data-outcome={feedback.outcome}
          role={feedback.outcome === 'refused' ? 'alert' : undefined}
          className={`mt-3 text-sm break-words ${feedback.outcome === 'ok' ? 'text-healthy' : 'text-sick'}`}
        >
          {feedback.message}
        </p>
      ) : null}
    </Panel>
  );
}

function ProposalItem({
  p,
  busy,
  disabled,
  onDecide,
}: {
  p: Proposal;
  busy: { id: number; decision: Decision } | null;
  disabled: boolean;
  onDecide: (id: number, decision: Decision) => void;
}) {
  const parsed = parseUnifiedDiff(p.diff);
  const label = (d: Decision, idle: string, working: string) => (busy?.id === p.id && busy.decision === d ? working : idle);
  return (
    <li data-testid="proposal" data-proposal-id={p.id} className="flex flex-col gap-2 border-l-2 border-healing/60 pl-3">
      <div className="flex flex-wrap items-baseline gap-2 text-xs">
        <span className="font-bold text-phosphor">#{p.id}</span>
        <span className="text-soft">{p.organism}</span>
        <span className="border border-edge px-1 text-healing">{p.kind === 'heal' ? `repair by ${p.strategy}` : 'evolved genome'}</span>
        <span className="text-muted">
          for generation {p.baseGeneration ?? '?'} ({shortId(p.baseGenomeId)}) · proposed {formatDateTime(p.createdAt)}
        </span>
      </div>
      <p className="text-sm break-words text-soft">{p.summary}</p>
      <dl className="grid grid-cols-[auto_1fr] gap-x-3 text-xs">
        <dt className="text-muted">cause</dt>
        <dd data-testid="proposal-cause" className="break-words">
          {p.failure
            ? `${p.failure.verdict}${p.failure.error ? `: ${p.failure.error}` : ''}${p.failure.case ? ` (on ${p.failure.case})` : ''}`
            : 'a faster genome found by evolution'}
        </dd>
        <dt className="text-muted">verification</dt>
        <dd data-testid="proposal-verification">
          {p.verification
            ? `${p.verification.passed ? 'passed' : 'failed'} the whole suite: ${p.verification.size} inputs, ${
                p.verification.reused ? 'remembered from an earlier run of the same source' : `${p.verification.runs} runs in ${formatMs(p.verification.timeMs)}`
              }`
            : 'not recorded'}
        </dd>
      </dl>
      {parsed.hunks > 0 ? (
        <DiffBody parsed={parsed} testId="proposal-diff" maxHeight="max-h-72" />
      ) : (
        <Note>The proposed genome has the same source as the live one.</Note>
      )}
      <div className="flex gap-2">
        <button
          type="button"
          disabled={disabled}
          onClick={() => onDecide(p.id, 'approve')}
          className="border border-healthy px-3 py-1 text-xs text-healthy hover:bg-healthy/15 disabled:cursor-not-allowed disabled:opacity-40"
        >
          {label('approve', 'Approve', 'approving…')}
        </button>
        <button
          type="button"
          disabled={disabled}
          onClick={() => onDecide(p.id, 'reject')}
          className="border border-sick px-3 py-1 text-xs text-sick hover:bg-sick/15 disabled:cursor-not-allowed disabled:opacity-40"
        >
          {label('reject', 'Reject', 'rejecting…')}
        </button>
      </div>
    </li>
  );
}
