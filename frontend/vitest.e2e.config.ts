import { defineConfig } from 'vitest/config';

/** End-to-end: the real backend, the built dashboard and Debian's Chromium (see e2e/). */
export default defineConfig({
  test: {
    environment: 'node',
    include: ['e2e/**/*.e2e.test.ts'],
    globalSetup: ['./e2e/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
    env: { NEXT_TELEMETRY_DISABLED: '1' },
  },
});
