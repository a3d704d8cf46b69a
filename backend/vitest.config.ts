import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Supervisor and end-to-end tests spawn real processes; two cores are all a machine here has.
    maxWorkers: 2,
  },
});
