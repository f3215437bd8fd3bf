# One recipe, one image per FitNexa service: pick the workspace with build args.
#
#   docker build -t fitnexa/identity:dev --build-arg WORKSPACE=@fitnexa/identity \
#     --build-arg SERVICE_DIR=subgraphs/identity --build-arg PORT=4001 .
#
# WORKSPACE is the npm workspace name, SERVICE_DIR its folder, PORT the service's default port
# (what the HEALTHCHECK asks when PORT is not set at run time). The image holds the compiled
# service and shared code (`dist/`), its production dependencies only, and runs
# `node dist/main.js` as the unprivileged `node` user (uid 1000) from /app/<SERVICE_DIR>; it
# writes nothing outside /tmp, so a read-only root filesystem suits it. Migrations:
# `node dist/migrate.js` (subgraphs); the first admin: `node dist/create-admin.js` (identity).
# See docs/deployment.md.

ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS base
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false

# --- manifests: package.json files and the lock file only, at their paths ----------------------
# This stage's output changes only when a manifest does, so the `npm ci` layers below stay cached
# across source edits. (Done with find rather than per-workspace COPY lines so that a new
# workspace needs no change here.)
FROM base AS manifests
COPY . /src
RUN cd /src \
 && find . -type f ! -name package.json ! -name package-lock.json -delete \
 && find . -mindepth 1 -type d -empty -delete

# --- deps: the whole dependency tree (compilers, generators), shared by every image ------------
FROM base AS deps
COPY --from=manifests /src/ ./
# No install scripts: the root postinstall would generate code from sources not copied yet, and
# the build below runs only the generators it needs.
RUN --mount=type=cache,target=/root/.npm \
    npm ci --ignore-scripts

# --- build: generated code (Prisma client, resolver types), then tsc to dist/ ------------------
FROM deps AS build
ARG WORKSPACE
ARG SERVICE_DIR
# What the build reads, so that edits elsewhere (docs, other scripts) keep this stage cached.
COPY tsconfig.base.json ./
COPY schema/ schema/
COPY scripts/prisma.mjs scripts/no-schema-engine.sh scripts/
COPY shared/ shared/
COPY supergraph/ supergraph/
COPY subgraphs/ subgraphs/
# Fail now, not at container start, when the build args disagree or are missing.
RUN test -n "$WORKSPACE" && test -n "$SERVICE_DIR" \
 && test -f "$SERVICE_DIR/src/main.ts" \
 && node -e 'const [dir, name] = process.argv.slice(1); const got = require(`./${dir}/package.json`).name; if (got !== name) { console.error(`${dir}/package.json is ${got}, not ${name}`); process.exit(1); }' \
      "$SERVICE_DIR" "$WORKSPACE"
RUN npm run generate --workspace "$WORKSPACE" --if-present \
 && npx tsc -b shared/tsconfig.build.json "$SERVICE_DIR/tsconfig.build.json"
# What the service reads at run time besides node_modules, at the same paths under /out.
RUN mkdir -p /out/shared /out/schema "/out/$SERVICE_DIR" \
 && cp -a shared/dist /out/shared/ \
 && cp -a schema/supergraph.graphql /out/schema/ \
 && cp -a "$SERVICE_DIR/dist" "/out/$SERVICE_DIR/" \
 && if [ -f "$SERVICE_DIR/schema.graphql" ]; then cp -a "$SERVICE_DIR/schema.graphql" "/out/$SERVICE_DIR/"; fi \
 && if [ -d "$SERVICE_DIR/prisma/migrations" ]; then mkdir -p "/out/$SERVICE_DIR/prisma" && cp -a "$SERVICE_DIR/prisma/migrations" "/out/$SERVICE_DIR/prisma/"; fi \
 && find /out -name '*.d.ts' -delete -o -name '.tsbuildinfo' -delete

# --- production dependencies of this workspace only ---------------------------------------------
# `npm ci --workspace` installs every workspace, and `--omit=dev` keeps the workspaces' own dev
# dependencies. So the manifests are cut down to the root, shared and this workspace, none with
# dev dependencies, and npm installs that part of the locked tree. `--omit=optional` also drops
# what the lock file marks dev-or-optional: the Prisma CLI and its studio (~250 MB), an optional
# peer of @prisma/client. No install scripts: generated code comes from the build stage, argon2
# ships prebuilt binaries.
FROM base AS production-deps
ARG SERVICE_DIR
COPY --from=manifests /src/ ./
RUN node -e 'const fs = require("fs"); const dir = process.argv[1]; \
      for (const file of ["package.json", "shared/package.json", `${dir}/package.json`]) { \
        const manifest = JSON.parse(fs.readFileSync(file, "utf8")); \
        delete manifest.devDependencies; delete manifest.scripts; \
        if (file === "package.json") manifest.workspaces = ["shared", dir]; \
        fs.writeFileSync(file, JSON.stringify(manifest, null, 2)); \
      }' "$SERVICE_DIR"
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --omit=optional --ignore-scripts \
 && rm -rf package-lock.json /root/.npm/_logs
COPY --from=build /out/ ./

# --- runtime ----------------------------------------------------------------------------------
FROM base AS runtime
ARG SERVICE_DIR
ARG PORT=3000
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=${PORT}
# Owned by root and only readable by the service: it cannot rewrite its own code.
COPY --from=production-deps /app /app
WORKDIR /app/${SERVICE_DIR}
USER node
EXPOSE ${PORT}
# No curl in slim images; node's fetch does the job. Ready, not just live: compose's
# `service_healthy` and `docker ps` mean "takes traffic".
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself is PID 1's child only under an init (compose `init: true`, Kubernetes needs none):
# it gets SIGTERM directly and drains (see @fitnexa/shared/server).
CMD ["node", "dist/main.js"]
