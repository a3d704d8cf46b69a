import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The browser tests build with a test backend's URL inlined: into their own directory (e2e/harness.ts sets
  // NEXT_DIST_DIR for `next build` and `next start`), so the build `pnpm start` serves is never replaced.
  distDir: process.env.NEXT_DIST_DIR || '.next',
};

export default nextConfig;
