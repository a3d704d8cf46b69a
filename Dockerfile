# syntax=docker/dockerfile:1
#
# The Ouroboros backend (the watcher and its REST API) as a container, for Railway or any other platform.
#
#   docker build -t ouroboros-backend .
#   docker run --rm -p 8000:8000 -v ouroboros-data:/data ouroboros-backend
#
# Only the backend, the contract package it shares with the dashboard and the organisms are in the image; the
# dashboard deploys on its own (see DEPLOYMENT.md).
# backend/test/deploy/production-build.test.ts replays the COPY and RUN steps below outside Docker and runs
# the result, so keep RUN steps to relative paths inside WORKDIR.

ARG NODE_IMAGE=node:24-bookworm-slim

# ---- build: every dependency, the TypeScript compiler, then production dependencies on their own ------------
FROM ${NODE_IMAGE} AS build

# better-sqlite3 downloads a prebuilt addon when it can and compiles one from source when it cannot.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# pnpm 10 from npm rather than corepack (corepack's signature check fails on some machines).
RUN npm install --global pnpm@10

WORKDIR /app
# The manifests alone first, so the dependency layer stays cached until one of them changes.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml .npmrc tsconfig.base.json ./
COPY backend/package.json backend/
COPY packages/contract/package.json packages/contract/
RUN pnpm install --frozen-lockfile --filter @ouroboros/backend...

COPY packages/contract/tsconfig.build.json packages/contract/
COPY packages/contract/src packages/contract/src
COPY backend/tsconfig.build.json backend/
COPY backend/src backend/src
RUN pnpm --filter @ouroboros/backend run build

# Production dependencies only, installed from the lockfile into a separate tree. The pnpm store is already
# filled, so nothing is downloaded or compiled twice.
RUN mkdir -p prod/backend prod/packages/contract \
 && cp package.json pnpm-lock.yaml pnpm-workspace.yaml .npmrc prod/ \
 && cp backend/package.json prod/backend/ \
 && cp packages/contract/package.json prod/packages/contract/ \
 && cd prod \
 && pnpm install --frozen-lockfile --prod --filter @ouroboros/backend...

# ---- runtime: Node, the compiled backend and contract, their production dependencies and the organisms ---------
FROM ${NODE_IMAGE} AS runtime

# tini is PID 1: it passes SIGTERM on to Node and reaps any orphaned process an organism leaves behind.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*

# UV_THREADPOOL_SIZE: every run's scratch file and every promotion's fsync goes through libuv's thread pool (4 by
# default); under a soak, chaos answers queued behind them (45 answers over 2 s with 4 threads, 5 with 16).
ENV NODE_ENV=production \
    UV_THREADPOOL_SIZE=16 \
    HOST=:: \
    PORT=8000 \
    DATA_DIR=/data \
    ORGANISMS_DIR=/app/organisms

WORKDIR /app/backend
# Owned by root and read-only for the server's user: neither the server nor an organism can rewrite the code.
COPY --from=build /app/prod/node_modules /app/node_modules
COPY --from=build /app/prod/backend/node_modules node_modules
COPY --from=build /app/backend/package.json package.json
COPY --from=build /app/backend/dist dist
# The contract, compiled: backend/node_modules/@ouroboros/contract links to it, and the CMD's condition selects dist/.
COPY --from=build /app/prod/packages/contract/node_modules /app/packages/contract/node_modules
COPY --from=build /app/packages/contract/package.json /app/packages/contract/package.json
COPY --from=build /app/packages/contract/dist /app/packages/contract/dist
# Genome 0 of each organism: the store is seeded from here on the first boot with an empty DATA_DIR.
COPY organisms /app/organisms

# The only place the server writes. Without a volume it lives and dies with the container.
RUN mkdir -p /data && chown node:node /data

# Started as root (the default, and what Railway's root-owned volumes need), the entrypoint hands DATA_DIR to
# the unprivileged "node" user and then becomes that user for good; started as any other user, it just runs.
COPY --chmod=755 <<'EOF' /usr/local/bin/ouroboros-entrypoint
#!/bin/sh
set -eu
# The user to become when started as root (the tests, which have no "node" user, pick another).
user="${OUROBOROS_USER:-node}"
if [ "$(id -u)" = 0 ]; then
  mkdir -p "$DATA_DIR"
  group="$(id -gn "$user")"
  find "$DATA_DIR" \( ! -user "$user" -o ! -group "$group" \) -exec chown -h "$user:$group" {} + \
    || echo "ouroboros-entrypoint: could not give $DATA_DIR to $user; the server may not be able to write there" >&2
  export HOME="$(getent passwd "$user" | cut -d: -f6)"
  exec setpriv --reuid="$user" --regid="$group" --init-groups --inh-caps=-all -- "$@"
fi
exec "$@"
EOF

EXPOSE 8000
# Railway checks /health itself (railway.toml); this is for plain Docker. Slim images have no curl: use Node.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

ENTRYPOINT ["tini", "--", "ouroboros-entrypoint"]
CMD ["node", "--conditions=ouroboros-compiled", "--enable-source-maps", "dist/server.js"]
