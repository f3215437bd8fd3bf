#!/usr/bin/env bash
# `npm run test:containers`: the production images for real, on this machine's Docker engine.
#
#   1. a local stand-in for node:22-bookworm-slim when none exists (scripts/containers/base-image.sh;
#      cached as an image, so reruns skip it), and dockerd started when it is not running;
#   2. every service image built from the project's Dockerfile with BuildKit, NODE_IMAGE = the stand-in;
#   3. every container on `--network host` only, against this machine's PostgreSQL (a database of
#      its own, recreated each run), Redis (a database index of its own) and RabbitMQ (a vhost of its
#      own), on ports of its own: the migration jobs, every service with demo data, create-admin;
#   4. the demo member's dashboard and the admin's sign-in through the containerized gateway; every
#      container non-root, healthy by its own HEALTHCHECK, and stopped within 10 s of SIGTERM.
#
# Prints image sizes, start-to-ready times and the run's duration. Not part of `npm test` (minutes).
# Root is needed for dockerd, debootstrap, apt-get and rabbitmqctl (as on the CI machines).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

: "${TAG:=test}"
: "${BASE_IMAGE:=fitnexa-local/node:22-bookworm-slim}"
: "${PG_URL:=postgres://postgres@127.0.0.1:5432}"
: "${DATABASE:=fitnexa_containers}"
: "${REDIS_URL:=redis://127.0.0.1:6379/9}"
: "${RABBITMQ_VHOST:=fitnexa_containers}"
: "${READY_TIMEOUT:=120}"
# BuildKit (RUN --mount) needs Debian's client; the newer one first on the PATH has no buildx.
DOCKER=/usr/bin/docker
export DOCKER_BUILDKIT=1
LOG_DIR="${TMPDIR:-/tmp}/fitnexa-containers"
mkdir -p "$LOG_DIR"
STARTED=$SECONDS

log() { printf '[containers %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
fail() { log "FAILED: $*" >&2; exit 1; }

# service workspace-dir port (gateway first: `docker build` order does not matter, start order does)
SERVICES=(
  "identity subgraphs/identity 14001"
  "gym subgraphs/gym 14002"
  "workout subgraphs/workout 14003"
  "squad subgraphs/squad 14004"
  "messaging subgraphs/messaging 14005"
  "observability subgraphs/observability 14006"
  "gateway supergraph 13000"
)
WITH_DATABASE=(identity gym workout squad messaging)
GATEWAY_URL=http://127.0.0.1:13000/graphql
ADMIN_EMAIL=root@fitnexa.test
ADMIN_PASSWORD=containers-admin-1

field() { local entry=$1 index=$2; read -r -a parts <<<"$entry"; printf '%s' "${parts[$index]}"; }
port_of() {
  local entry
  for entry in "${SERVICES[@]}"; do
    if [[ $(field "$entry" 0) == "$1" ]]; then field "$entry" 2; fi
  done
}
container() { printf 'fitnexa-test-%s' "$1"; }

cleanup() {
  local status=$?
  local entry
  for entry in "${SERVICES[@]}"; do
    "$DOCKER" rm -f "$(container "$(field "$entry" 0)")" >/dev/null 2>&1 || true
  done
  if ((status != 0)); then log "container logs are in $LOG_DIR"; fi
  log "took $((SECONDS - STARTED)) s"
}
trap cleanup EXIT

# --- the engine and the base image ---------------------------------------------------------------
ensure_dockerd() {
  if "$DOCKER" info >/dev/null 2>&1; then return; fi
  if ! command -v dockerd >/dev/null || [[ ! -x $DOCKER ]]; then
    log "installing Debian's docker.io"
    DEBIAN_FRONTEND=noninteractive apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker.io
  fi
  log "starting dockerd (output in $LOG_DIR/dockerd.log)"
  setsid dockerd </dev/null >>"$LOG_DIR/dockerd.log" 2>&1 &
  local deadline=$((SECONDS + 60))
  until "$DOCKER" info >/dev/null 2>&1; do
    ((SECONDS < deadline)) || fail "dockerd did not answer within 60 s"
    sleep 1
  done
}

# --- images --------------------------------------------------------------------------------------
build_images() {
  local entry name dir port started
  for entry in "${SERVICES[@]}"; do
    name=$(field "$entry" 0) dir=$(field "$entry" 1) port=$(field "$entry" 2)
    started=$SECONDS
    "$DOCKER" build --network host -t "fitnexa/$name:$TAG" \
      --build-arg NODE_IMAGE="$BASE_IMAGE" \
      --build-arg WORKSPACE="$(node -p "require('./$dir/package.json').name")" \
      --build-arg SERVICE_DIR="$dir" \
      --build-arg PORT="${DEFAULT_PORTS[$name]}" \
      . >"$LOG_DIR/build-$name.log" 2>&1 || {
      tail -n 30 "$LOG_DIR/build-$name.log" >&2
      fail "building fitnexa/$name:$TAG"
    }
    log "built fitnexa/$name:$TAG in $((SECONDS - started)) s"
  done
}
declare -A DEFAULT_PORTS=(
  [gateway]=3000 [identity]=4001 [gym]=4002 [workout]=4003 [squad]=4004 [messaging]=4005
  [observability]=4006
)

# --- the machine's services, isolated for this run -----------------------------------------------
prepare_backing_services() {
  log "database $DATABASE (recreated), Redis ${REDIS_URL##*/}, RabbitMQ vhost $RABBITMQ_VHOST"
  psql "$PG_URL/postgres" -qX -v ON_ERROR_STOP=1 \
    -c "DROP DATABASE IF EXISTS $DATABASE WITH (FORCE)" -c "CREATE DATABASE $DATABASE" >/dev/null
  redis-cli -u "$REDIS_URL" flushdb >/dev/null
  rabbitmqctl -q delete_vhost "$RABBITMQ_VHOST" >/dev/null 2>&1 || true
  rabbitmqctl -q add_vhost "$RABBITMQ_VHOST" >/dev/null
  rabbitmqctl -q set_permissions -p "$RABBITMQ_VHOST" guest '.*' '.*' '.*' >/dev/null
}

# What every container gets; the loopback only (HOST), production mode, this run's backing services.
common_env() {
  printf '%s\n' \
    NODE_ENV=production HOST=127.0.0.1 LOG_LEVEL=info \
    "REDIS_URL=$REDIS_URL" \
    "RABBITMQ_URL=amqp://guest:guest@127.0.0.1:5672/$RABBITMQ_VHOST" \
    "SERVICE_TOKEN_SECRET=containers-test-service-token-secret-0123456789" \
    "JWKS_URL=http://127.0.0.1:$(port_of identity)/.well-known/jwks.json"
}
service_env() {
  local name=$1
  common_env
  echo "PORT=$(port_of "$name")"
  # Production serves /metrics on its own port (9464 by default): on one host network, one each.
  echo "METRICS_PORT=$(($(port_of "$name") + 10000))"
  if [[ " ${WITH_DATABASE[*]} " == *" $name "* ]]; then
    echo "DATABASE_URL=$PG_URL/$DATABASE"
    # The role's default password: roles are server-wide, so this run leaves other users' alone.
    echo "DATABASE_ROLE_PASSWORD=fitnexa_$name"
    echo "SEED_DEMO_DATA=true"
  fi
  case $name in
    identity) echo "SIGNING_KEY_ENCRYPTION_KEY=Y29udGFpbmVycy10ZXN0LW9ubHkta2V5LTMyLWJ5dGU=" ;;
    messaging) echo "SQUAD_URL=http://127.0.0.1:$(port_of squad)/graphql" ;;
    gateway)
      local entry sub
      for entry in "${SERVICES[@]}"; do
        sub=$(field "$entry" 0)
        [[ $sub == gateway ]] || echo "SUBGRAPH_URL_${sub^^}=http://127.0.0.1:$(port_of "$sub")/graphql"
      done
      ;;
  esac
}

# run_job LABEL NAME SCRIPT [docker run options]: `node dist/SCRIPT` in a one-off container of
# NAME's image, as a Kubernetes Job would run it; its output in $LOG_DIR/LABEL.log.
run_job() {
  local label=$1 name=$2 script=$3
  shift 3
  local env_file=$LOG_DIR/$name.env
  service_env "$name" >"$env_file"
  "$DOCKER" run --rm --network host --read-only --tmpfs /tmp --cap-drop ALL --env-file "$env_file" \
    "$@" "fitnexa/$name:$TAG" node "dist/$script" >"$LOG_DIR/$label.log" 2>&1 || {
    tail -n 20 "$LOG_DIR/$label.log" >&2
    fail "$label (fitnexa/$name) failed"
  }
}

migrate() {
  local name
  for name in "${WITH_DATABASE[@]}"; do
    run_job "migrate-$name" "$name" migrate.js
    log "migrated $name ($(grep -c 'migration applied' "$LOG_DIR/migrate-$name.log") migrations)"
  done
}

# After the services: identity seeds its demo accounts only into a database without users.
create_admin() {
  run_job create-admin identity create-admin.js \
    -e "ADMIN_EMAIL=$ADMIN_EMAIL" -e "ADMIN_PASSWORD=$ADMIN_PASSWORD"
  grep -q 'administrator created' "$LOG_DIR/create-admin.log" ||
    fail "create-admin: $(cat "$LOG_DIR/create-admin.log")"
  log "create-admin made $ADMIN_EMAIL an administrator"
}

# --- services ------------------------------------------------------------------------------------
declare -A READY_MS=()
start_service() {
  local name=$1 port env_file started_ns
  port=$(port_of "$name")
  env_file=$LOG_DIR/$name.env
  service_env "$name" >"$env_file"
  started_ns=$(date +%s%N)
  # The image's own HEALTHCHECK command, asked every 2 s here instead of every 10 s.
  "$DOCKER" run -d --name "$(container "$name")" --network host --read-only --tmpfs /tmp \
    --cap-drop ALL --security-opt no-new-privileges --health-interval 2s \
    --env-file "$env_file" "fitnexa/$name:$TAG" >/dev/null
  local deadline=$((SECONDS + READY_TIMEOUT))
  until curl -sf -o /dev/null "http://127.0.0.1:$port/health/ready"; do
    if [[ "$("$DOCKER" inspect -f '{{.State.Running}}' "$(container "$name")")" != true ]] ||
      ((SECONDS >= deadline)); then
      "$DOCKER" logs "$(container "$name")" >"$LOG_DIR/$name.log" 2>&1 || true
      tail -n 20 "$LOG_DIR/$name.log" >&2
      fail "$name did not become ready"
    fi
    sleep 0.1
  done
  READY_MS[$name]=$((($(date +%s%N) - started_ns) / 1000000))
  log "$name ready on :$port in ${READY_MS[$name]} ms"
}

wait_healthy() {
  local name=$1 status deadline=$((SECONDS + 60))
  while :; do
    status=$("$DOCKER" inspect -f '{{.State.Health.Status}}' "$(container "$name")")
    [[ $status == healthy ]] && return
    ((SECONDS < deadline)) || fail "$name is $status by its HEALTHCHECK after 60 s"
    sleep 1
  done
}

check_containers() {
  local entry name uid
  for entry in "${SERVICES[@]}"; do
    name=$(field "$entry" 0)
    uid=$("$DOCKER" exec "$(container "$name")" id -u)
    [[ $uid != 0 ]] || fail "$name runs as root"
    wait_healthy "$name"
    log "$name: uid $uid, healthy"
  done
}

declare -A STOP_MS=()
stop_services() {
  # Reverse start order: the gateway first, as a rollout drains it before its subgraphs.
  local index name started_ns code
  for ((index = ${#SERVICES[@]} - 1; index >= 0; index--)); do
    name=$(field "${SERVICES[$index]}" 0)
    "$DOCKER" logs "$(container "$name")" >"$LOG_DIR/$name.log" 2>&1 || true
    started_ns=$(date +%s%N)
    "$DOCKER" stop -t 10 "$(container "$name")" >/dev/null
    STOP_MS[$name]=$((($(date +%s%N) - started_ns) / 1000000))
    code=$("$DOCKER" inspect -f '{{.State.ExitCode}}' "$(container "$name")")
    ((STOP_MS[$name] < 10000)) && [[ $code != 137 ]] ||
      fail "$name took ${STOP_MS[$name]} ms to stop (exit $code): SIGTERM did not stop it"
    log "$name stopped in ${STOP_MS[$name]} ms (exit $code)"
  done
}

report() {
  local entry name size
  printf '\n%-14s %9s %15s %9s\n' service size start-to-ready stop
  for entry in "${SERVICES[@]}"; do
    name=$(field "$entry" 0)
    size=$("$DOCKER" image inspect -f '{{.Size}}' "fitnexa/$name:$TAG")
    printf '%-14s %6s MB %12s ms %6s ms\n' "$name" $((size / 1000000)) "${READY_MS[$name]}" "${STOP_MS[$name]}"
  done
  printf '%-14s %6s MB  (the base every image shares)\n\n' base \
    $(($("$DOCKER" image inspect -f '{{.Size}}' "$BASE_IMAGE") / 1000000))
}

main() {
  ensure_dockerd
  DOCKER="$DOCKER" scripts/containers/base-image.sh "$BASE_IMAGE"
  build_images
  prepare_backing_services
  migrate
  local entry
  for entry in "${SERVICES[@]}"; do start_service "$(field "$entry" 0)"; done
  check_containers
  create_admin
  npx tsx --conditions=fitnexa-source scripts/containers/dashboard.ts \
    "$GATEWAY_URL" "$ADMIN_EMAIL" "$ADMIN_PASSWORD" || fail "the dashboard through the gateway"
  stop_services
  report
  log "all checks passed"
}

main "$@"
