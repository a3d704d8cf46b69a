import type { NextConfig } from 'next';
import { apiBaseUrl } from './lib/api-url';
import { dashboardHeaders } from './lib/security-headers';

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The contract package ships TypeScript source (packages/contract): Next compiles it with the dashboard.
  transpilePackages: ['@ouroboros/contract'],
  // connect-src names the API the build inlines (NEXT_PUBLIC_API_URL), and nothing else.
  headers: async () => [{ source: '/:path*', headers: dashboardHeaders(apiBaseUrl(), process.env.NODE_ENV !== 'production') }],
  // The browser tests build with a test backend's URL inlined: into their own directory (e2e/harness.ts sets
  // NEXT_DIST_DIR for `next build` and `next start`), so the build `pnpm start` serves is never replaced.
  distDir: process.env.NEXT_DIST_DIR || '.next',
};

export default nextConfig;
