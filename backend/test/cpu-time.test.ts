/**
 * A run's CPU time (what evolution's fitness measures): reported by the organism's own process, through every
 * layer of the sandbox, on Node 20 and the Docker image's Node 24; time spent waiting (for a timer here, for a core
 * on a loaded machine) is not in it; and a genome cannot forge it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrganism, type Organism } from '../src/organism/manifest.js';
import { defaultSandboxSettings, detectSandbox, type Sandbox } from '../src/sandbox/index.js';
import { runGenome } from '../src/watcher/run-genome.js';
import { FIXTURE_ORGANISMS, tempDir } from './helpers/fixtures.js';
import { nodeFromNpm } from './helpers/node-from-npm.js';

const LIMITS = { outputCapBytes: 16 * 1024, killGraceMs: 300 };
const READ_INPUT = "let s = ''; process.stdin.on('data', (c) => (s += c)); process.stdin.on('end', () => main(JSON.parse(s)));\n";
const GENOMES = {
  /** Answers after waiting 1.5 s on a timer: the wall time has the wait, the CPU time does not. */
  waits: `${READ_INPUT}function main({ n }) { setTimeout(() => console.log(JSON.stringify(n * 2)), 1500); }\n`,
  /** Prints a report of its own, with a key it guessed, and what it can see of the preload. */
  forges: `${READ_INPUT}function main({ n }) {
  process.stderr.write('\\nouroboros-cpu-000000000000000000000000 1\\n');
  process.stderr.write('execArgv ' + JSON.stringify(process.execArgv) + '\\n');
  console.log(JSON.stringify(n * 2));
}\n`,
  /** Removes every exit listener before it answers: it reports nothing. */
  silences: `${READ_INPUT}function main({ n }) { process.removeAllListeners('exit'); console.log(JSON.stringify(n * 2)); }\n`,
  /** Ends with process.exit(0) right after the answer. */
  exits: `${READ_INPUT}function main({ n }) { console.log(JSON.stringify(n * 2)); process.exit(0); }\n`,
};

const node24 = nodeFromNpm(24);
const tmp = tempDir('ouroboros-cputime-');
let organism: Organism;
const files: Record<keyof typeof GENOMES, string> = { waits: '', forges: '', silences: '', exits: '' };
const sandboxes: { label: string; sandbox: Sandbox | null }[] = [];

beforeAll(async () => {
  organism = await loadOrganism(FIXTURE_ORGANISMS, 'good');
  // A generous time limit: the wait must end well inside it on a loaded machine.
  organism = { ...organism, manifest: { ...organism.manifest, timeLimitMs: 6000, slowMs: 6000 } };
  const dir = path.join(tmp.dir, 'organisms');
  mkdirSync(dir, { recursive: true });
  for (const [name, source] of Object.entries(GENOMES)) {
    const file = path.join(dir, `${name}.js`);
    writeFileSync(file, source);
    files[name as keyof typeof GENOMES] = file;
  }
  writeFileSync(path.join(dir, 'package.json'), '{ "type": "commonjs" }\n');
  sandboxes.push({ label: 'no sandbox', sandbox: null });
  sandboxes.push({ label: `every layer on node ${process.version}`, sandbox: await detectSandbox({ dataDir: tmp.dir }) });
  if ('path' in node24) {
    const settings = { ...defaultSandboxSettings(), nodePath: node24.path };
    sandboxes.push({ label: 'every layer on node 24', sandbox: await detectSandbox({ dataDir: tmp.dir, settings }) });
  }
}, 120_000);

afterAll(() => tmp.cleanup());

const run = (file: string, sandbox: Sandbox | null, measureCpu = true) => runGenome(organism, file, 1, { ...LIMITS, sandbox, ...(measureCpu ? { measureCpu } : {}) });

describe("a run's CPU time", () => {
  it('counts the work, not the wait, through every sandbox layer on each runtime', async () => {
    expect(sandboxes.length).toBeGreaterThanOrEqual(2);
    for (const { label, sandbox } of sandboxes) {
      const r = await run(files.waits, sandbox);
      expect(r.verdict, `${label}: ${r.error} ${r.stderr}`).toBe('ok');
      expect(typeof r.cpuMs, label).toBe('number');
      expect(r.cpuMs!, label).toBeGreaterThan(0);
      // It waited 1.5 s of wall time on a timer, which costs no CPU.
      expect(r.durationMs, label).toBeGreaterThanOrEqual(1500);
      expect(r.cpuMs!, label).toBeLessThan(r.durationMs - 1000);
      // The report is taken out of what the organism printed.
      expect(r.stderr, label).not.toMatch(/ouroboros-cpu-/);
    }
  }, 60_000);

  it('is reported after process.exit too', async () => {
    for (const { label, sandbox } of sandboxes) {
      const r = await run(files.exits, sandbox);
      expect(r.verdict, label).toBe('ok');
      expect(r.cpuMs, label).toEqual(expect.any(Number));
    }
  }, 60_000);

  it('cannot be forged: the key is not the genome’s to see, and a guessed one is ignored', async () => {
    for (const { label, sandbox } of sandboxes) {
      const r = await run(files.forges, sandbox);
      expect(r.verdict, label).toBe('ok');
      expect(r.cpuMs, label).toEqual(expect.any(Number));
      expect(r.cpuMs, label).not.toBe(0.001);
      expect(r.stderr, label).toContain('ouroboros-cpu-000000000000000000000000 1');
      const seen = /execArgv (.*)/.exec(r.stderr)?.[1] ?? '';
      expect(seen, label).not.toMatch(/ouroboros-cpu-|--import/);
    }
  }, 60_000);

  it('is unknown (null) when the run silences its exit event, and absent when nobody asked', async () => {
    for (const { label, sandbox } of sandboxes) {
      const r = await run(files.silences, sandbox);
      expect(r.verdict, label).toBe('ok');
      expect(r.cpuMs, label).toBeNull();
    }
    const plain = await run(files.waits, null, false);
    expect(plain.cpuMs).toBeUndefined();
  }, 60_000);
});
