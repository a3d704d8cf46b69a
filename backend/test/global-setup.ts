import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

/** One directory per run where its apps lend each other genome 0's verification (test/helpers/seed-verifications.ts). */
export default function setup(project: TestProject) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ouroboros-seed-verifications-'));
  project.provide('seedVerificationsDir', dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
