import { describe, expect, it } from 'vitest';
import { parseReports, reportOutcome, type CaseReport } from './protocol.js';

const report = (i: number, over: Partial<CaseReport> = {}): CaseReport => ({
  t: 'tok',
  i,
  via: 'worker',
  exitCode: 0,
  error: null,
  timedOut: false,
  outputLimited: false,
  durationMs: 12.5,
  stdout: '[1,2]\n',
  stdoutTail: '[1,2]\n',
  stderr: '',
  stdoutBytes: 6,
  stderrBytes: 0,
  ...over,
});
const line = (r: unknown) => `${JSON.stringify(r)}\n`;

describe('parseReports', () => {
  it('places each case by its index, whatever the order the host finished them in', () => {
    const out = parseReports(line(report(1)) + line(report(0)), 'tok', 2);
    expect(out.map((r) => r?.i)).toEqual([0, 1]);
  });

  it('leaves a case unreported when its line is missing, cut short, not of this job, or out of range', () => {
    const cut = line(report(1)).slice(0, 40);
    const out = parseReports(line(report(0)) + cut + line(report(2, { t: 'forged' })) + line(report(7)) + 'BREACH\n', 'tok', 3);
    expect(out).toEqual([report(0), null, null]);
  });

  it('trusts neither of two reports of one case', () => {
    expect(parseReports(line(report(0)) + line(report(0, { stdout: 'other' })), 'tok', 1)).toEqual([null]);
  });

  it('refuses a report whose fields are not what the host writes', () => {
    expect(parseReports(line({ ...report(0), exitCode: 'zero' }), 'tok', 1)).toEqual([null]);
  });
});

describe('reportOutcome', () => {
  it("puts a worker's error on its stderr, as a process would have printed it", () => {
    const o = reportOutcome(report(0, { exitCode: 1, error: 'Error: boom', stderr: 'warn' }), 42);
    expect(o).toMatchObject({ exitCode: 1, signal: null, stderr: 'warn\nError: boom\n', pid: 42, spawnError: null });
  });
});
