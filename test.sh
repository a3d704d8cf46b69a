#!/usr/bin/env bash
# Runs every test of Ouroboros and installs what they need first (pnpm, dependencies, Chromium, redis-server).
# Ends with one line "tests: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")"
source scripts/ensure-tools.sh
set -e

pnpm install --frozen-lockfile --reporter=append-only >/dev/null

if [[ ! -x /usr/bin/chromium ]]; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian's chromium for the browser tests..."
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "The browser tests need /usr/bin/chromium: run 'sudo apt-get install -y chromium' first." >&2
    exit 1
  fi
fi

if ! command -v redis-server >/dev/null 2>&1; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian's redis-server for the run-queue tests..."
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  else
    echo "The run-queue tests need redis-server: run 'sudo apt-get install -y redis-server' first." >&2
    exit 1
  fi
fi

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
status=0
step() { # name, command...
  local name=$1; shift
  echo
  echo "=== $name"
  if ! "$@"; then
    echo "!!! $name failed"
    status=1
  fi
}

step "typecheck" pnpm -r typecheck
step "backend tests" pnpm --dir backend exec vitest run --reporter=default --reporter=json --outputFile.json="$results/backend.json"
if [[ -d frontend/app ]]; then
  step "dashboard tests" pnpm --dir frontend exec vitest run --reporter=default --reporter=json --outputFile.json="$results/frontend.json"
  # The browser tests run `next build` into frontend/.next-e2e (their own directory), so frontend/.next, the build
  # `pnpm start` serves, is left as ./setup.sh made it.
  if [[ -f frontend/vitest.e2e.config.ts ]]; then
    step "browser tests" pnpm --dir frontend exec vitest run --config vitest.e2e.config.ts --reporter=default --reporter=json --outputFile.json="$results/e2e.json"
  fi
fi

node scripts/sum-test-results.mjs "$results"/*.json || status=1
exit $status
