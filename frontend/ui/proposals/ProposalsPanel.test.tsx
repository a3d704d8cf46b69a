import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { act } from 'react';
import { describe, expect, it, vi } from 'vitest';
import type { ProposalDecision } from '@ouroboros/contract';
import { ApiError, type ApiClient } from '@/lib/api';
import { makeProposal, makeStatus } from '@/test/fixtures';
import { Dashboard } from '@/ui/shell/Dashboard';
import { ProposalsPanel } from './ProposalsPanel';

const approved = (id: number): ProposalDecision => ({
  proposal: makeProposal(id, { status: 'approved', genomeId: 'feedfacefeedface' }),
  message: 'approved: generation 4 (feedfacefeedface) is live',
  genome: { id: 'feedfacefeedface', generation: 4 },
});

describe('ProposalsPanel', () => {
  it('shows each pending proposal with its diff, its cause and its verification', () => {
    render(<ProposalsPanel proposals={[makeProposal(7)]} healMode="propose" onDecide={vi.fn()} />);
    const item = screen.getByTestId('proposal');
    expect(item.dataset.proposalId).toBe('7');
    expect(item.textContent).toContain('repair by minimal-revert');
    expect(item.textContent).toContain('for generation 3');
    expect(screen.getByTestId('proposal-cause').textContent).toBe('crashed: SyntaxError: Unexpected token');
    expect(screen.getByTestId('proposal-verification').textContent).toMatch(/^passed the whole suite: 12 inputs, 12 runs/);
    const lines = [...screen.getByTestId('proposal-diff').querySelectorAll('[data-kind]')].map((l) => (l as HTMLElement).dataset.kind);
    expect(lines.filter((k) => k === 'del')).toHaveLength(1);
    expect(lines.filter((k) => k === 'add')).toHaveLength(1);
    expect(screen.getByText(/1 pending · repairs wait for approval/)).toBeTruthy();
  });

  it('says when the verification was remembered rather than run', () => {
    render(<ProposalsPanel proposals={[makeProposal(7, { verification: { passed: true, size: 32, runs: 0, timeMs: 0, reused: true } })]} healMode="propose" onDecide={vi.fn()} />);
    expect(screen.getByTestId('proposal-verification').textContent).toBe('passed the whole suite: 32 inputs, remembered from an earlier run of the same source');
  });

  it('approves and rejects through the API, saying what came of it or why it was refused', async () => {
    const onDecide = vi.fn(async (id: number, decision: 'approve' | 'reject') => {
      if (decision === 'reject') {
        throw new ApiError({ kind: 'http', endpoint: 'POST /proposals/8/reject', status: 409, code: 'PROPOSAL_DECIDED', message: 'Proposal #8 was already superseded.' });
      }
      return approved(id);
    });
    render(<ProposalsPanel proposals={[makeProposal(7), makeProposal(8, { baseGeneration: 5 })]} healMode="propose" onDecide={onDecide} />);
    const [first, second] = screen.getAllByTestId('proposal');
    await act(async () => {
      fireEvent.click(first!.querySelector('button')!);
    });
    expect(onDecide).toHaveBeenCalledWith(7, 'approve');
    expect(screen.getByTestId('proposal-feedback').dataset.outcome).toBe('ok');
    expect(screen.getByTestId('proposal-feedback').textContent).toBe('Proposal #7 approved: generation 4 (feedfacefeedface) is live.');
    await act(async () => {
      fireEvent.click(second!.querySelectorAll('button')[1]!);
    });
    expect(onDecide).toHaveBeenCalledWith(8, 'reject');
    expect(screen.getByRole('alert').textContent).toBe('Proposal #8 was not rejected: HTTP 409 PROPOSAL_DECIDED: Proposal #8 was already superseded.');
  });

  it('disables both buttons while a decision is in flight', async () => {
    let resolve: (d: ProposalDecision) => void = () => {};
    const onDecide = vi.fn(() => new Promise<ProposalDecision>((r) => (resolve = r)));
    render(<ProposalsPanel proposals={[makeProposal(7)]} healMode="propose" onDecide={onDecide} />);
    fireEvent.click(screen.getByRole('button', { name: 'Approve' }));
    expect(screen.getByRole('button', { name: 'approving…' })).toBeTruthy();
    expect(screen.getAllByRole('button').every((b) => (b as HTMLButtonElement).disabled)).toBe(true);
    await act(async () => resolve(approved(7)));
    expect(screen.getAllByRole('button').every((b) => !(b as HTMLButtonElement).disabled)).toBe(true);
  });

  it('says when nothing waits and when the list cannot load', () => {
    const { rerender } = render(<ProposalsPanel proposals={[]} healMode="propose" onDecide={vi.fn()} />);
    expect(screen.getByText(/Nothing waits for approval/)).toBeTruthy();
    rerender(<ProposalsPanel proposals={null} healMode="propose" error="Cannot reach the backend." onDecide={vi.fn()} />);
    expect(screen.getByRole('alert').textContent).toContain('Cannot reach the backend.');
  });
});

describe('the proposals on the dashboard', () => {
  function api(status: Parameters<typeof makeStatus>[0]): ApiClient {
    const self: ApiClient = {
      baseUrl: 'http://api.test',
      organism: null,
      forOrganism: () => self,
      organisms: vi.fn(async () => ({ organisms: [], count: 0 })),
      status: vi.fn(async () => makeStatus(status)),
      runs: vi.fn(async () => ({ runs: [], count: 0 })),
      logs: vi.fn(async () => ({ entries: [], count: 0, lastSeq: 0 })),
      chaosTypes: vi.fn(async () => ({ types: [] })),
      genomes: vi.fn(async () => ({ genomes: [], count: 0, total: 0 })),
      genome: vi.fn(),
      triggerChaos: vi.fn(),
      rollback: vi.fn(),
      pendingProposals: vi.fn(async () => ({ proposals: [makeProposal(3)], count: 1, pending: 1 })),
      decideProposal: vi.fn(async (id: number) => approved(id)),
    };
    return self;
  }

  it('appears in approval mode and sends the decision to the backend', async () => {
    const a = api({ state: 'sick', healMode: 'propose', pendingProposals: 1 });
    render(<Dashboard api={a} />);
    await waitFor(() => expect(a.pendingProposals).toHaveBeenCalled(), { timeout: 3000 });
    const approve = await screen.findByRole('button', { name: 'Approve' }, { timeout: 3000 });
    fireEvent.click(approve);
    await waitFor(() => expect(a.decideProposal).toHaveBeenCalledWith(3, 'approve'));
    expect(await screen.findByText(/Proposal #3 approved/)).toBeTruthy();
  });

  it('stays out of the way when repairs are promoted at once and nothing waits', async () => {
    const a = api({ healMode: 'auto', pendingProposals: 0 });
    render(<Dashboard api={a} />);
    await waitFor(() => expect(screen.getByTestId('organism-state').textContent).toBe('HEALTHY'));
    expect(screen.queryByTestId('proposals')).toBeNull();
    expect(a.pendingProposals).not.toHaveBeenCalled();
  });
});
