/**
 * The gauntlet CLI (scripts/gauntlet.ts), run for real as a child process: it starts its own server, injects
 * chaos into every organism, and prints the table. Plus its argument parsing and table formatting.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../scripts/gauntlet/args.js';
import { markdownTable } from '../scripts/gauntlet/report.js';
import { tempDir, TEST_PROPERTY_INPUTS } from './helpers/fixtures.js';

const BACKEND = fileURLToPath(new URL('..', import.meta.url));

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function gauntlet(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/gauntlet.ts', ...args], {
      cwd: BACKEND,
      env: { VERIFY_PROPERTY_INPUTS: TEST_PROPERTY_INPUTS, ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

interface Record_ {
  organism: string;
  type: string;
  outcome: string;
  verdict?: string;
  detectMs?: number;
  healMs?: number;
  chaos?: { genomeId: string; expect: string[] };
}

describe('pnpm gauntlet', () => {
  it('injects chaos into every organism of a real server, heals it all, prints the table and exits 0', async () => {
    const tmp = tempDir('ouroboros-gauntlet-test-');
    try {
      const json = path.join(tmp.dir, 'records.json');
      const r = await gauntlet(['--rounds', '1', '--types', 'delete_line,syntax_error', '--seed', '7', '--latent', '0', '--json', json]);
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(/^Gauntlet: seed 7, 1 round\(s\), 3 organism\(s\), 2 chaos type\(s\), 6 injections/);
      expect(r.stdout).toContain('| organism       | type         | injected | detected | equivalent | healed | detect ms p50 / p95 | heal ms p50 / p95 |');
      for (const organism of ['bubble-sort', 'prime-sieve', 'json-transform']) {
        expect(r.stdout).toMatch(new RegExp(`\\| ${organism} +\\| delete_line +\\| +1 \\| +1 \\| +0 \\| +1 \\|`));
        // Genomes left behind: genome 0, two chaos genomes and two heals.
        expect(r.stdout).toMatch(new RegExp(`\\| ${organism} +\\| +5 \\| +1 \\| +2 \\| +2 \\| +4 \\| [0-9a-f]{16} \\| healthy`));
      }
      expect(r.stdout).toMatch(/\| \*\*total\*\* +\| +\| +6 \| +6 \| +0 \| +6 \|/);
      expect(r.stdout).toContain('Every detected failure was healed.');
      expect(r.stderr).toMatch(/\[prime-sieve\] round 1 delete_line \(seed \d+\): \w+ detected in \d+ ms, healed in \d+ ms/);
      const { records } = JSON.parse(readFileSync(json, 'utf8')) as { records: Record_[] };
      expect(records).toHaveLength(6);
      for (const rec of records) {
        expect(rec.outcome).toBe('healed');
        expect(rec.chaos!.expect).toContain(rec.verdict);
        expect(rec.detectMs).toBeGreaterThanOrEqual(0);
        expect(rec.detectMs).toBeLessThan(5000);
        expect(rec.healMs).toBeGreaterThan(0);
      }
    } finally {
      tmp.cleanup();
    }
  }, 60_000);

  it('finds latent mutants by measurement, and each is caught by verification at promotion and healed', async () => {
    const tmp = tempDir('ouroboros-gauntlet-test-');
    try {
      const json = path.join(tmp.dir, 'records.json');
      const r = await gauntlet(['--rounds', '1', '--types', 'syntax_error', '--organisms', 'bubble-sort', '--latent', '1', '--quiet', '--json', json]);
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
      expect(r.stdout).toContain('Latent mutants (wrong on fewer than 5% of random inputs), written into live.js as outside edits:');
      expect(r.stdout).toMatch(/\| bubble-sort +\| change_literal line 21 +\| +0\/40 \| edge: two elements, reversed +\| +\d+ \| +\d+ \|/);
      expect(r.stdout).toMatch(/- bubble-sort: 1 latent of \d+ single-site mutants \(\d+ pass the whole suite\)/);
      expect(r.stdout).toContain('Every latent mutant was caught by its verification at promotion, and healed.');
      const { latent } = JSON.parse(readFileSync(json, 'utf8')) as { latent: { outcome: string; randomFailures: number; samples: number }[] };
      expect(latent).toHaveLength(1);
      expect(latent[0]).toMatchObject({ outcome: 'caught', samples: 40 });
      expect(latent[0]!.randomFailures / latent[0]!.samples).toBeLessThan(0.05);
    } finally {
      tmp.cleanup();
    }
  }, 300_000);

  it('exits 1 and names the genomes when a detected failure is not healed', async () => {
    const r = await gauntlet(
      ['--rounds', '1', '--types', 'syntax_error', '--organisms', 'prime-sieve', '--deadline-ms', '2000', '--latent', '0', '--quiet'],
      { AUTO_HEAL: 'false' },
    );
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(1);
    expect(r.stdout).toMatch(/\| prime-sieve +\| syntax_error +\| +1 \| +1 \| +0 \| +0 \|/);
    expect(r.stdout).toMatch(/NOT HEALED: prime-sieve syntax_error \(round 1, seed \d+\): .* -> crashed; chaos genome [0-9a-f]{16} \(generation 1\), live genome [0-9a-f]{16}/);
    expect(r.stdout).toMatch(/1 injection\(s\) failed: prime-sieve syntax_error round 1 \(chaos genome [0-9a-f]{16}/);
  }, 60_000);

  it('refuses an unknown option with exit code 2 and the usage', async () => {
    const r = await gauntlet(['--rouds', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown option "--rouds"');
    expect(r.stderr).toContain('Usage: pnpm gauntlet');
  });
});

describe('gauntlet arguments', () => {
  it('has defaults and parses every option, with or without =', () => {
    expect(parseArgs([])).toMatchObject({ seed: 1, rounds: 2, types: null, organisms: null, url: null, loopIntervalMs: 100, equivalentAfter: 3, latent: 2 });
    expect(parseArgs(['--latent', '0']).latent).toBe(0);
    expect(
      parseArgs(['--', '--seed', '9', '--rounds=3', '--types', 'throw, exit_code', '--organisms=prime-sieve', '--url', 'http://x:1/', '--quiet']),
    ).toMatchObject({ seed: 9, rounds: 3, types: ['throw', 'exit_code'], organisms: ['prime-sieve'], url: 'http://x:1', quiet: true });
  });

  it('rejects what it cannot use', () => {
    expect(() => parseArgs(['--seed', '-1'])).toThrow(UsageError);
    expect(() => parseArgs(['--rounds', '0'])).toThrow(/at least 1/);
    expect(() => parseArgs(['--types'])).toThrow(/needs a value/);
    expect(() => parseArgs(['--types', ','])).toThrow(/at least one type/);
    expect(() => parseArgs(['--frobnicate'])).toThrow(/unknown option/);
  });
});

describe('the gauntlet table', () => {
  it('pads every column and right-aligns the numbers, as valid markdown', () => {
    const table = markdownTable(['name', 'n'], [['a', '1'], ['longer', '100']], ['left', 'right']);
    expect(table.split('\n')).toEqual(['| name   |   n |', '|--------|----:|', '| a      |   1 |', '| longer | 100 |']);
  });
});
