import type { NextConfig } from 'next';
import { apiBaseUrl } from './lib/api';
import { dashboardHeaders } from './lib/security-headers';

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // connect-src names the API the build inlines (NEXT_PUBLIC_API_URL), and nothing else.
  headers: async () => [{ source: '/:path*', headers: dashboardHeaders(apiBaseUrl(), process.env.NODE_ENV !== 'production') }],
};

export default nextConfig;
