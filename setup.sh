#!/usr/bin/env bash
# Sets up Ouroboros on a fresh machine: pnpm, dependencies, and a production build of the dashboard.
# Then `pnpm start` runs the backend on :8000 and the dashboard on :3000.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/ensure-tools.sh

echo "Installing dependencies (better-sqlite3 compiles from source where no prebuilt binary is reachable)..."
pnpm install --frozen-lockfile

echo "Building the dashboard..."
pnpm --dir frontend build

cat <<'MSG'

Ouroboros is set up.
  pnpm start        backend on http://localhost:8000, dashboard on http://localhost:3000
  ./test.sh         every test
MSG
