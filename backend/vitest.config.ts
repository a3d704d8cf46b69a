import path from 'node:path';
import { configDefaults, defineConfig } from 'vitest/config';

/**
 * The crash and soak tests saturate both cores for a minute or more (a server killed 30 times; chaos every 100 ms
 * under 1,000 dashboards), which would starve the tests that measure time (evolution's speedups): they run after
 * every other file has finished, and one after the other, since beside each other every heal of the soak waited
 * on the crash test's restarts and its organisms had not settled 90 s after the chaos stopped.
 */
const SATURATING = ['test/crash-recovery.test.ts', 'test/soak.test.ts'];

export default defineConfig({
  test: {
    // Every app a test builds with its watcher verifies its seed first: a suite of sandboxed runs, before the test's own.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Supervisor and end-to-end tests spawn real processes; two cores are all a machine here has.
    maxWorkers: 2,
    // A directory for the run where apps lend each other genome 0's verification (test/helpers/seed-verifications.ts).
    globalSetup: ['./test/global-setup.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'backend',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...SATURATING],
          sequence: { groupOrder: 0 },
        },
      },
      ...SATURATING.map((file, i) => ({
        extends: true as const,
        test: { name: `saturating ${path.basename(file, '.test.ts')}`, include: [file], sequence: { groupOrder: 1 + i } },
      })),
    ],
  },
});
