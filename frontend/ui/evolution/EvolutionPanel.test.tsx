import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { ApiError, type ApiClient } from '@/lib/api';
import { EvolutionViewSchema, type EvolutionRun, type EvolutionView, type Fitness } from '@ouroboros/contract';
import { withQueryClient } from '@/test/query';
import { iso, makeDetail, makeGenome } from '@/test/fixtures';
import { EvolutionPanel } from './EvolutionPanel';
import { FitnessText } from './FitnessText';
import { HistoryPanel } from '@/ui/history/HistoryPanel';

const fit = (timeMs: number, codeSize = 300): Fitness => ({
  gate: 'passed',
  timeMs,
  codeSize,
  repeats: 5,
  inputs: [{ name: 'random 10000', medianMs: timeMs, samplesMs: [timeMs] }],
  gateInputs: 10,
  benchmark: 'b1',
  measuredAt: iso(0),
});
const FAILED = { gate: 'failed', reason: '', input: null, verdict: null, codeSize: 300, benchmark: 'b1', measuredAt: iso(0) } as const;

const RUN: EvolutionRun = {
  id: 'bubble-sort-run-1',
  organism: 'bubble-sort',
  state: 'running',
  startedAt: iso(0),
  finishedAt: null,
  endReason: null,
  settings: { generations: 5, population: 4, timeBudgetMs: 300000, margin: 0.1, sources: ['llm', 'operators'], seed: 7 },
  generation: 2,
  candidatesTried: 8,
  accepted: 1,
  refused: 7,
  baseline: fit(400),
  best: { genomeId: '0000000000000002', fitness: fit(100, 420) },
  bestOverTime: [
    { generation: 0, at: iso(1), tried: 0, liveMs: 400, bestMs: 400 },
    { generation: 1, at: iso(2), tried: 4, liveMs: 100, bestMs: 95 },
    { generation: 2, at: iso(3), tried: 8, liveMs: 100, bestMs: 95 },
  ],
  candidates: [
    { n: 7, generation: 2, source: 'llm', summary: 'a renamed variable', operator: null, outcome: 'refused', stage: 'confirmation', reason: 'not confirmed: within the 10% margin', timeMs: 98, codeSize: 420, genomeId: null },
    { n: 8, generation: 2, source: 'operators', summary: 'deleted line 3', operator: 'delete_statement', outcome: 'refused', stage: 'gate', reason: 'fails the gate: wrong on "empty"', timeMs: null, codeSize: 410, genomeId: null },
  ],
  promotions: [{ genomeId: '0000000000000002', generation: 2, at: iso(2), source: 'llm', timeMs: 100, parentTimeMs: 400, speedup: 4, byInput: [] }],
};

const VIEW: EvolutionView = {
  organism: 'bubble-sort',
  available: true,
  unavailable: null,
  running: true,
  sources: ['llm', 'operators'],
  defaults: { generations: 5, population: 6, timeBudgetMs: 300000, margin: 0.1 },
  run: RUN,
  live: { genomeId: '0000000000000002', generation: 2, fitness: fit(100, 420) },
  lineage: [
    { id: '0000000000000002', generation: 2, parentId: '0000000000000001', cause: 'evolve', summary: 'evolved (LLM): 4x', createdAt: iso(20), live: true, healthy: true, fitness: fit(100, 420) },
    { id: '0000000000000001', generation: 1, parentId: '0000000000000000', cause: 'chaos', summary: 'deleted a line', createdAt: iso(10), live: false, healthy: true, fitness: { gate: 'failed', reason: 'crashed on "empty"', input: 'empty', verdict: 'crashed', codeSize: 290, benchmark: 'b1', measuredAt: iso(11) } },
    { id: '0000000000000000', generation: 0, parentId: null, cause: 'seed', summary: 'genome 0', createdAt: iso(0), live: false, healthy: true, fitness: null },
  ],
  lineageTruncated: false,
};

function fakeApi(view: EvolutionView = VIEW, over: Partial<ApiClient> = {}): ApiClient {
  const api = {
    baseUrl: 'http://api.test',
    organism: null,
    forOrganism: () => api,
    genome: vi.fn(async (id: string) => makeDetail(Number.parseInt(id, 16), { id })),
    evolution: vi.fn(async () => view),
    evolve: vi.fn(async () => ({ organism: 'bubble-sort', run: RUN })),
    cancelEvolution: vi.fn(async () => ({ organism: 'bubble-sort', run: { ...RUN, state: 'cancelled' as const } })),
    ...over,
  } as unknown as ApiClient;
  return api;
}

describe('EvolutionPanel', () => {
  it('the fixture matches the backend contract', () => {
    expect(EvolutionViewSchema.safeParse(VIEW).success).toBe(true);
  });

  it('shows the progress: state, generation, counts, the speedup, best fitness over time and recent candidates', async () => {
    render(<EvolutionPanel api={fakeApi()} chartWidth={500} />, withQueryClient());
    const progress = await screen.findByTestId('evolution-progress');
    expect(progress.dataset.state).toBe('running');
    expect(screen.getByTestId('evolution-state').textContent).toBe('running');
    expect(screen.getByTestId('evolution-generation').textContent).toBe('generation 2 of 5');
    expect(screen.getByTestId('evolution-counts').textContent).toBe('8 tried · 1 accepted · 7 refused');
    expect(screen.getByTestId('evolution-speedup').textContent).toBe('4.00x faster');
    expect(screen.getByTestId('evolution-chart').getAttribute('aria-label')).toBe('Best fitness over 3 generation points');
    const candidates = screen.getAllByTestId('candidate');
    expect(candidates.map((c) => c.dataset.outcome)).toEqual(['refused', 'refused']);
    expect(candidates[0]!.textContent).toContain('fails the gate: wrong on "empty"');
    expect(candidates[1]!.textContent).toContain('not confirmed: within the 10% margin');
  });

  it('shows the lineage with each genome’s cause and fitness, and its diff on a click', async () => {
    const api = fakeApi();
    render(<EvolutionPanel api={api} chartWidth={500} />, withQueryClient());
    const rows = await screen.findAllByTestId('lineage-row');
    expect(rows.map((r) => r.dataset.cause)).toEqual(['evolve', 'chaos', 'seed']);
    expect(within(rows[0]!).getByTestId('fitness').textContent).toBe('100 ms · 420 tokens');
    expect(within(rows[0]!).getByText('LIVE')).toBeTruthy();
    expect(within(rows[1]!).getByTestId('fitness').dataset.gate).toBe('failed');
    expect(within(rows[2]!).getByTestId('fitness').textContent).toBe('fitness pending');
    fireEvent.click(within(rows[1]!).getByRole('button'));
    await waitFor(() => expect(within(rows[1]!).getByTestId('lineage-diff').textContent).toContain('i <= arr.length'));
    expect(api.genome).toHaveBeenCalledWith('0000000000000001', expect.anything());
  });

  it('folds the generations that failed (chaos until a heal) into one row, and unfolds them on a click', async () => {
    const g = (generation: number, cause: 'seed' | 'chaos' | 'heal' | 'evolve', healthy: boolean, live = false) => ({
      id: generation.toString(16).padStart(16, '0'),
      generation,
      parentId: generation === 0 ? null : (generation - 1).toString(16).padStart(16, '0'),
      cause,
      summary: `${cause} ${generation}`,
      createdAt: iso(generation),
      live,
      healthy,
      fitness: null,
    });
    const view = { ...VIEW, lineage: [g(5, 'evolve', true, true), g(4, 'heal', true), g(3, 'chaos', false), g(2, 'chaos', false), g(1, 'heal', true), g(0, 'seed', true)] };
    expect(EvolutionViewSchema.safeParse(view).success).toBe(true);
    render(<EvolutionPanel api={fakeApi(view)} chartWidth={500} />, withQueryClient());
    await screen.findAllByTestId('lineage-row');
    expect(screen.getAllByTestId('lineage-row').map((r) => r.dataset.cause)).toEqual(['evolve', 'heal', 'heal', 'seed']);
    const folded = screen.getByTestId('lineage-failed');
    expect(folded.textContent).toContain('2 failed generations (#2–#3: chaos)');
    fireEvent.click(within(folded).getAllByRole('button')[0]!);
    expect(screen.getAllByTestId('lineage-row').map((r) => r.dataset.cause)).toEqual(['evolve', 'heal', 'chaos', 'chaos', 'heal', 'seed']);
  });

  it('starts a run with the chosen settings, cancels one, and reports a refusal in the API’s words', async () => {
    const idle = { ...VIEW, running: false, run: { ...RUN, state: 'finished' as const } };
    const api = fakeApi(idle, {
      evolve: vi
        .fn()
        .mockResolvedValueOnce({ organism: 'bubble-sort', run: RUN })
        .mockRejectedValueOnce(new ApiError({ kind: 'http', endpoint: 'POST /evolve', status: 409, code: 'EVOLUTION_RUNNING', message: 'An evolution run of bubble-sort is in progress.' })),
    });
    render(<EvolutionPanel api={api} chartWidth={500} />, withQueryClient());
    const button = await screen.findByTestId('evolve-button');
    expect(screen.queryByTestId('cancel-evolution')).toBeNull();
    fireEvent.change(screen.getByPlaceholderText('5'), { target: { value: '3' } });
    fireEvent.change(screen.getByPlaceholderText('6'), { target: { value: '2' } });
    fireEvent.click(screen.getByRole('checkbox'));
    fireEvent.click(button);
    await waitFor(() => expect(api.evolve).toHaveBeenCalledWith({ generations: 3, population: 2, sources: ['operators'] }));
    await waitFor(() => expect(vi.mocked(api.evolution!).mock.calls.length).toBeGreaterThanOrEqual(2));

    fireEvent.click(screen.getByTestId('evolve-button'));
    const refusal = await screen.findByTestId('evolve-feedback');
    expect(refusal.textContent).toBe('HTTP 409: An evolution run of bubble-sort is in progress.');
  });

  it('offers Cancel while a run is on', async () => {
    const api = fakeApi();
    render(<EvolutionPanel api={api} chartWidth={500} />, withQueryClient());
    expect((await screen.findByTestId('evolve-button')).hasAttribute('disabled')).toBe(true);
    fireEvent.click(screen.getByTestId('cancel-evolution'));
    await waitFor(() => expect(api.cancelEvolution).toHaveBeenCalled());
  });

  it('says when the organism cannot evolve, when the backend has no evolution, and when it fails to answer', async () => {
    const { unmount } = render(<EvolutionPanel api={fakeApi({ ...VIEW, available: false, unavailable: 'this organism defines no fitness', run: null })} />, withQueryClient());
    expect(await screen.findByText(/This organism cannot evolve: this organism defines no fitness/)).toBeTruthy();
    unmount();
    const bare = fakeApi();
    delete (bare as { evolution?: unknown }).evolution;
    const second = render(<EvolutionPanel api={bare} />, withQueryClient());
    expect(screen.getByText('This backend does not offer evolution.')).toBeTruthy();
    second.unmount();
    render(<EvolutionPanel api={fakeApi(VIEW, { evolution: vi.fn(async () => Promise.reject(new Error('Cannot reach the backend.'))) })} />, withQueryClient());
    expect((await screen.findByRole('alert')).textContent).toContain('Cannot reach the backend.');
  });

  it('FitnessText says what a fitness is in a few words', () => {
    const { container, rerender } = render(<FitnessText fitness={fit(1234.5)} />);
    expect(container.textContent).toBe('1.23 s · 300 tokens');
    rerender(<FitnessText fitness={{ ...FAILED, reason: 'wrong on "empty"' }} />);
    expect(container.textContent).toBe('gate failed: wrong on "empty"');
    rerender(<FitnessText fitness={null} />);
    expect(container.textContent).toBe('fitness not measured yet');
  });
});

describe('HistoryPanel with fitness', () => {
  it('shows each generation’s fitness beside its runs', () => {
    const genomes = [
      makeGenome(2, { cause: 'evolve', live: true, fitness: fit(100, 420) }),
      makeGenome(1, { fitness: { ...FAILED, reason: 'crashed on "empty"' } }),
      makeGenome(0, { fitness: null }),
    ];
    render(<HistoryPanel genomes={genomes} total={3} selectedId={null} onSelect={vi.fn()} onRollback={vi.fn()} />);
    const rows = screen.getAllByTestId('genome-row');
    expect(within(rows[0]!).getByTestId('fitness').textContent).toBe('100 ms · 420 tokens');
    expect(within(rows[1]!).getByTestId('fitness').textContent).toBe('gate failed');
    expect(within(rows[1]!).getByTestId('fitness').getAttribute('title')).toBe('crashed on "empty"');
    expect(within(rows[2]!).getByTestId('fitness').textContent).toBe('fitness pending');
  });
});
