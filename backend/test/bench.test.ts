/**
 * The benchmarks (backend/bench, `pnpm bench`) run here once each at a tiny size, so that they cannot rot.
 * Nothing here asserts a time: only that every module runs and produces well-formed results.
 */
import { describe, expect, it } from 'vitest';
import { benchApiLoad } from '../bench/api-load.js';
import { benchCapacity } from '../bench/capacity.js';
import { benchDetectHeal } from '../bench/detect-heal.js';
import { benchEvents } from '../bench/events.js';
import { benchVerification } from '../bench/verification.js';
import { benchGrowth } from '../bench/growth.js';
import { benchMemory } from '../bench/memory.js';
import { BENCH_IDS, isSummary, type Section } from '../bench/model.js';
import { benchOverhead } from '../bench/overhead.js';
import { benchPromotion } from '../bench/promotion.js';
import { benchQueue } from '../bench/queue.js';
import { benchRepair } from '../bench/repair.js';
import { renderMarkdown, renderSummary, machine } from '../bench/report.js';
import { parseArgs } from '../bench/run.js';
import { summarize } from '../bench/stats.js';

const results: Section[] = [];

function wellFormed(sections: Section[], ids: string[]): void {
  expect(sections.map((s) => s.id)).toEqual(ids);
  for (const s of sections) {
    expect(s.title).not.toBe('');
    expect(s.method.length).toBeGreaterThan(0);
    expect(s.figures.length).toBeGreaterThan(0);
    expect(s.elapsedS).toBeGreaterThan(0);
    for (const f of s.figures) {
      expect(f.id.startsWith(`${s.id}.`), f.id).toBe(true);
      expect(f.unit).not.toBe('');
      if (isSummary(f.value)) {
        expect(f.value.n, f.id).toBeGreaterThan(0);
        for (const k of ['min', 'median', 'p95', 'p99', 'max'] as const) expect(Number.isFinite(f.value[k]), `${f.id} ${k}`).toBe(true);
        expect(f.value.min).toBeLessThanOrEqual(f.value.median);
        expect(f.value.median).toBeLessThanOrEqual(f.value.p95);
        expect(f.value.p95).toBeLessThanOrEqual(f.value.max);
      } else {
        expect(typeof f.value).toBe('number');
      }
      if (f.baseline) expect(f.ratio, `${f.id} has a baseline but no ratio`).toBeDefined();
      if (f.target) expect(typeof f.target.met).toBe('boolean');
    }
  }
  results.push(...sections);
}

// The servers these benchmarks start verify every organism's genome 0 before they listen: minutes on a loaded machine.
describe('benchmarks at a tiny size', () => {
  it('cost of growth', async () => {
    wellFormed(await benchGrowth({ tiny: true }), ['growth']);
  });

  it('supervision overhead', async () => {
    wellFormed(await benchOverhead({ tiny: true }), ['overhead']);
  });

  it('time to detect and to heal', async () => {
    const sections = await benchDetectHeal({ tiny: true });
    wellFormed(sections, ['detect', 'heal']);
    // Both rungs healed something, and the crash's detection was measured against a Node start.
    expect(sections[1]!.figures.map((f) => f.id)).toEqual(expect.arrayContaining(['heal.core.minimal-revert', 'heal.core.rollback']));
    expect(sections[0]!.figures.some((f) => f.id.endsWith('.crashed') && f.target)).toBe(true);
  }, 240_000);

  it('cost of verification', async () => {
    const [verify] = await benchVerification({ tiny: true });
    wellFormed([verify!], ['verify']);
    expect(verify!.figures.map((f) => f.id)).toEqual(['verify.bubble-sort.fresh', 'verify.bubble-sort.batch', 'verify.bubble-sort.remembered', 'verify.bubble-sort.crash', 'verify.bubble-sort.latent']);
  }, 120_000);

  it('API under dashboard load', async () => {
    const [api] = await benchApiLoad({ tiny: true });
    wellFormed([api!], ['api']);
    const ids = api!.figures.map((f) => f.id);
    expect(ids).toEqual(expect.arrayContaining(['api.dashboards.status', 'api.dashboards.logs', 'api.throughput.status']));
  }, 240_000);

  it("evolution's promotions on a loaded machine", async () => {
    const [section] = await benchPromotion({ tiny: true });
    wellFormed([section!], ['promotion']);
    expect(section!.figures.map((f) => f.id)).toEqual(['promotion.noop.false', 'promotion.faster.promoted']);
  }, 120_000);

  it('repair corpus', async () => {
    const [section] = await benchRepair({ tiny: true, perOrganism: 1 });
    wellFormed([section!], ['repair']);
    expect(section!.figures.map((f) => f.id)).toContain('repair.on.wrong');
    expect(section!.params).toMatchObject({ 'bubble-sort bugs': 1 });
  }, 600_000);

  it('live events', async () => {
    const [section] = await benchEvents({ tiny: true });
    wellFormed([section!], ['events']);
    expect(section!.figures.map((f) => f.id)).toEqual(['events.latency', 'events.memory', 'events.idle']);
    // Events arrived at the clients, and log lines at the polling dashboards.
    const latency = section!.figures[0]!;
    expect(isSummary(latency.value) && latency.value.n).toBeGreaterThan(0);
  }, 120_000);

  it('capacity: organisms at 1 Hz, warm hosts against processes from the spawner and from the server', async () => {
    const [section] = await benchCapacity({ tiny: true });
    wellFormed([section!], ['capacity']);
    expect(section!.figures.map((f) => f.id)).toEqual(['capacity.run', 'capacity.standby', 'capacity.2.runs', 'capacity.2.status', 'capacity.2.spawner', 'capacity.2.detect', 'capacity.2.detect.burst', 'capacity.2.loop']);
    const figure = (id: string) => section!.figures.find((f) => f.id === id)!;
    // Every mode ran organisms: warm hosts, processes from the spawner, processes from the server.
    const runs = figure('capacity.2.runs');
    expect(runs.value).toBeGreaterThan(0);
    expect(runs.baseline!.value).toBeGreaterThan(0);
    expect(figure('capacity.2.spawner').baseline!.value).toMatchObject({ n: expect.any(Number) });
    // The fourth server (no standbys) detected its incident too: the detection's baseline.
    expect(figure('capacity.2.detect').baseline!.value).toMatchObject({ n: 1 });
    // And the warm hosts' server, one more right after a heal.
    expect(figure('capacity.2.detect.burst').value).toMatchObject({ n: 1 });
    // Runs on a standby, against cold starts through the spawner.
    expect(figure('capacity.standby').value).toMatchObject({ n: 3 });
    expect(runs.note).toMatch(/from the server \(\d+\.\d+ runs\/s\)/);
    expect(runs.note).not.toMatch(/\(0\.00 runs\/s\)/);
  }, 300_000);

  it('run queue: the BullMQ runner against the embedded one, one worker and two', async () => {
    const [section] = await benchQueue({ tiny: true });
    wellFormed([section!], ['queue']);
    expect(section!.figures.map((f) => f.id)).toEqual(['queue.run', 'queue.trials.2']);
    expect(section!.figures[1]!.value).toBeGreaterThan(0);
    expect(section!.figures[1]!.baseline!.value).toBeGreaterThan(0);
  }, 240_000);

  it('memory', async () => {
    wellFormed(await benchMemory({ tiny: true }), ['memory']);
  }, 240_000);

  it('renders a report with the machine, the command and every section', () => {
    const md = renderMarkdown(results, { command: 'pnpm bench -- --tiny', date: new Date(), elapsedS: 1, machine: machine(), loadBefore: [0, 0, 0], loadAfter: [0, 0, 0] });
    expect(md).toContain('pnpm bench -- --tiny');
    expect(md).toContain(machine().node);
    for (const title of ['Time to detect', 'Time to heal', 'Cost of verification', 'Supervision overhead', 'API under dashboard load', 'Memory', 'Cost of growth', 'Evolution: promotions on a loaded machine', 'Live events: the stream against polling', 'Capacity: organisms at 1 Hz']) {
      expect(md).toContain(`## ${title}`);
    }
    expect(renderSummary(results).split('\n').length).toBeGreaterThan(results.length);
  });
});

describe('bench helpers', () => {
  it('summarises with nearest-rank percentiles', () => {
    const s = summarize(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(s).toMatchObject({ n: 100, min: 1, median: 50, p95: 95, p99: 99, max: 100 });
  });

  it('parses the command line, -- and --only included', () => {
    expect(parseArgs(['--', '--only', 'detect,heal'])).toMatchObject({ only: ['detect', 'heal'], tiny: false });
    expect(() => parseArgs(['--only', 'nope'])).toThrow(BENCH_IDS.join(', '));
    expect(parseArgs(['--repair-modes', 'on,off']).repairModes).toEqual(['on', 'off']);
    expect(parseArgs([]).repairModes).toBeNull();
    expect(() => parseArgs(['--repair-modes', 'on,fast'])).toThrow(/--repair-modes "on,fast": give some of on, off, workers, serial/);
  });
});
