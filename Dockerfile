# syntax=docker/dockerfile:1
#
# One image recipe for every FitNexa service. Pick the workspace with build args:
#
#   docker build --build-arg WORKSPACE=@fitnexa/identity --build-arg SERVICE_DIR=subgraphs/identity .
#
# WORKSPACE is the npm workspace name, SERVICE_DIR its folder (holding src/main.ts).

ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS base
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false

# --- manifests: package.json files and the lock file only, at their paths ----------------------
# This stage's output changes only when a manifest does, so the `npm ci` layer below stays cached
# across source edits. (Done with find rather than per-workspace COPY lines so that a new
# workspace needs no change here.)
FROM base AS manifests
COPY . /src
RUN cd /src \
 && find . -type f ! -name package.json ! -name package-lock.json -delete \
 && find . -mindepth 1 -type d -empty -delete

# --- deps: the whole dependency tree, cached on the manifests ---------------------------------
FROM base AS deps
COPY --from=manifests /src/ ./
# Scripts wait for the build stage: the root postinstall generates the Prisma client and the
# resolver types from sources that are not copied yet.
RUN --mount=type=cache,target=/root/.npm \
    npm ci --ignore-scripts

# --- build: sources, install scripts, code generation ------------------------------------------
FROM deps AS build
ARG WORKSPACE
ARG SERVICE_DIR
COPY . .
# `npm rebuild` runs what `npm ci --ignore-scripts` skipped: the dependencies' install scripts
# (argon2's binding, Prisma's engines) and then the root postinstall (`npm run generate`).
RUN npm rebuild --foreground-scripts
# Fail the build now, not at container start, when the two build args disagree or are missing.
RUN test -n "$WORKSPACE" && test -n "$SERVICE_DIR" \
 && test -f "$SERVICE_DIR/src/main.ts" \
 && node -e 'const [dir, name] = process.argv.slice(1); const got = require(`./${dir}/package.json`).name; if (got !== name) { console.error(`${dir}/package.json is ${got}, not ${name}`); process.exit(1); }' \
      "$SERVICE_DIR" "$WORKSPACE"

# --- runtime ----------------------------------------------------------------------------------
# Dev dependencies stay: the services run TypeScript through tsx, a root dev dependency.
FROM base AS runtime
ARG WORKSPACE
ARG SERVICE_DIR
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    WORKSPACE=${WORKSPACE} \
    SERVICE_DIR=${SERVICE_DIR}
# Owned by root and only readable by the service: it cannot rewrite its own code.
COPY --from=build /app /app
USER node
# Not `npm start`: npm does not pass SIGTERM on, and graceful shutdown needs it. `exec` makes node
# itself the process docker signals, with tsx loaded in-process (`--import`) rather than as a
# wrapper process.
CMD ["sh", "-c", "exec node --import tsx \"$SERVICE_DIR/src/main.ts\""]
