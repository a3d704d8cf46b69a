#!/usr/bin/env bash
# Sourced by setup.sh and test.sh: checks Node and installs pnpm 10 when it is missing.
need_node_major=20
need_node_minor=19
if ! command -v node >/dev/null 2>&1; then
  echo "Node.js >= ${need_node_major}.${need_node_minor} is required (https://nodejs.org)." >&2
  exit 1
fi
node_version=$(node -p 'process.versions.node')
IFS=. read -r major minor _ <<<"$node_version"
if (( major < need_node_major || (major == need_node_major && minor < need_node_minor) )); then
  echo "Node.js $node_version is too old; Ouroboros needs >= ${need_node_major}.${need_node_minor}." >&2
  exit 1
fi
if ! command -v pnpm >/dev/null 2>&1 || [[ "$(pnpm --version 2>/dev/null)" != 10.* ]]; then
  # pnpm 10 is the last major that runs on Node 20; corepack's signature check fails on some machines.
  echo "Installing pnpm 10 with npm..."
  npm install --global pnpm@10 >/dev/null
fi
export NEXT_TELEMETRY_DISABLED=1
