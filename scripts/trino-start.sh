#!/usr/bin/env bash
# Starts the pinned Trino natively, bound to 127.0.0.1, serving the lake in LAKEHOUSE_DATA_DIR as
# catalog `lakehouse` over HTTPS with password authentication and file-based access control, and
# waits until it answers `select 1`. The config is trino/etc, the same files docker compose mounts;
# the machine-specific values (data dir, port, node id, bind address, security dir) reach it as
# environment variables, which Trino substitutes for ${ENV:NAME}. Before starting, it fills
# TRINO_SECURITY_DIR (scripts/trino-security.ts init: self-signed certificate, shared secret, the
# service users lakehouse and superset, rules.json); nothing secret is ever written to the repo.
#
# --workers N (or TRINO_WORKERS=N): a cluster on this machine: the coordinator on TRINO_PORT plus N
# worker JVMs (trino/etc/worker/: own node id, HTTPS port TRINO_PORT+1..N unless
# TRINO_WORKER_BASE_PORT says otherwise, own data dir, log and pid file under
# $LAKEHOUSE_CACHE_DIR/trino/run-<port>/worker-<i>/), which find the coordinator through
# discovery.uri and share its certificate and shared secret. With workers the coordinator schedules
# no work on itself; with 0 (the default) it is the single node it always was. The script returns
# once the coordinator lists all N workers as active in system.runtime.nodes.
#
# Env: LAKEHOUSE_DATA_DIR (default ./data), TRINO_PORT (HTTPS, default 8080), LAKEHOUSE_CACHE_DIR
# (default ~/.cache/lakehouse), TRINO_SECURITY_DIR (default $LAKEHOUSE_CACHE_DIR/trino/security),
# TRINO_PASSWORD / TRINO_SUPERSET_PASSWORD (the service users' passwords; generated into
# <security dir>/<user>.password when unset), TRINO_JAVA_HOME (a JDK to use instead of searching),
# TRINO_JDK_DIRS (folders searched for JDKs, default /usr/lib/jvm/* /opt/java/* and the java on
# PATH), TRINO_START_TIMEOUT (seconds, default 240). Stop it with scripts/trino-stop.sh (same env).
#
# Object storage (the lake's S3 mirror, which `lakehouse publish` registers tables in when
# LAKEHOUSE_MIRROR_URI is set; trino/README.md): LAKEHOUSE_S3_ENDPOINT (an S3-compatible server, e.g.
# http://127.0.0.1:9000; unset: AWS S3, https://s3.<region>.amazonaws.com), LAKEHOUSE_S3_REGION
# (default $AWS_REGION, else us-east-1), LAKEHOUSE_S3_URL_STYLE (path|vhost; path when an endpoint is
# set, as for the CLI), and the credentials AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (AWS_SESSION_TOKEN),
# which Trino's S3 client reads from its environment and this script never prints. All optional:
# without them Trino starts as before and serves local:// tables only.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VERSION="$(tr -d '[:space:]' < "$ROOT/trino/VERSION")"
CACHE="${LAKEHOUSE_CACHE_DIR:-$HOME/.cache/lakehouse}"
export TRINO_PORT="${TRINO_PORT:-8080}"
export TRINO_BIND_IP="${TRINO_BIND_IP:-127.0.0.1}"
export TRINO_NODE_ID="${TRINO_NODE_ID:-lakehouse-$TRINO_PORT}"
export LAKEHOUSE_DATA_DIR="$(realpath -m "${LAKEHOUSE_DATA_DIR:-data}")"
export TRINO_SECURITY_DIR="$(realpath -m "${TRINO_SECURITY_DIR:-$CACHE/trino/security}")"
STATE="$CACHE/trino/run-$TRINO_PORT"
PID_FILE="$STATE/trino.pid"
WORKERS="${TRINO_WORKERS:-0}"
while [ $# -gt 0 ]; do
  case "$1" in
    --workers) WORKERS="${2:-}"; shift 2 || { echo "trino-start: error: --workers needs a number" >&2; exit 2; } ;;
    --workers=*) WORKERS="${1#--workers=}"; shift ;;
    *) echo "trino-start: error: unknown argument $1 (usage: trino-start.sh [--workers N])" >&2; exit 2 ;;
  esac
done
[[ "$WORKERS" =~ ^[0-9]+$ ]] && [ "$WORKERS" -le 16 ] || { echo "trino-start: error: --workers must be a number from 0 to 16, not '$WORKERS'" >&2; exit 2; }
WORKER_BASE_PORT="${TRINO_WORKER_BASE_PORT:-$((TRINO_PORT + 1))}"
# Work runs on the workers when there are any; a lone coordinator runs it itself.
if [ "$WORKERS" -gt 0 ]; then export TRINO_INCLUDE_COORDINATOR=false; else export TRINO_INCLUDE_COORDINATOR=true; fi
export TRINO_INTERNAL_ADDRESS="${TRINO_INTERNAL_ADDRESS:-127.0.0.1}"
LOG_FILE="$STATE/server.log"
URL="https://127.0.0.1:$TRINO_PORT"
CA_FILE="$TRINO_SECURITY_DIR/tls/ca.pem"
TIMEOUT="${TRINO_START_TIMEOUT:-240}"

say() { echo "trino-start: $*" >&2; }
die() { say "error: $*"; exit 1; }

# The S3 settings trino/etc/catalog/lakehouse.properties reads (${ENV:...} must always be set). The
# credentials are not among them: Trino 476 refuses a blank s3.aws-access-key at start-up, so its S3
# client takes them from the environment (the AWS SDK's default chain) when an s3:// table is read.
export LAKEHOUSE_S3_REGION="${LAKEHOUSE_S3_REGION:-${AWS_REGION:-us-east-1}}"
S3_URL_STYLE="${LAKEHOUSE_S3_URL_STYLE:-$([ -n "${LAKEHOUSE_S3_ENDPOINT:-}" ] && echo path || echo vhost)}"
case "$S3_URL_STYLE" in
  path) export TRINO_S3_PATH_STYLE_ACCESS=true ;;
  vhost) export TRINO_S3_PATH_STYLE_ACCESS=false ;;
  *) die "LAKEHOUSE_S3_URL_STYLE must be path or vhost, not '$S3_URL_STYLE'" ;;
esac
export LAKEHOUSE_S3_ENDPOINT="${LAKEHOUSE_S3_ENDPOINT:-https://s3.$LAKEHOUSE_S3_REGION.amazonaws.com}"
[[ "$LAKEHOUSE_S3_ENDPOINT" =~ ^https?://[^/]+/?$ ]] || die "LAKEHOUSE_S3_ENDPOINT must be http(s)://host[:port], not '$LAKEHOUSE_S3_ENDPOINT'"
S3_SETTINGS="$LAKEHOUSE_S3_ENDPOINT region $LAKEHOUSE_S3_REGION $S3_URL_STYLE-style"
s3_summary() {   # what the log may say about S3: never a credential
  echo "S3 $S3_SETTINGS, $([ -n "${AWS_ACCESS_KEY_ID:-}" ] && [ -n "${AWS_SECRET_ACCESS_KEY:-}" ] && echo "credentials from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY" || echo "no S3 credentials in the environment")"
}

# Trino 476 and later need Java 24; 447-475 Java 22; 436-446 Java 21; older Java 17.
min_java() {
  if [ "$VERSION" -ge 476 ]; then echo 24; elif [ "$VERSION" -ge 447 ]; then echo 22
  elif [ "$VERSION" -ge 436 ]; then echo 21; else echo 17; fi
}

java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | cut -d. -f1
}

# The newest JDK that satisfies min_java, from TRINO_JAVA_HOME, JAVA_HOME, /usr/lib/jvm/* and the
# java on PATH.
pick_jdk() {
  local need best="" best_major=0 seen="" candidates=() d major
  need="$(min_java)"
  if [ -n "${TRINO_JAVA_HOME:-}" ]; then
    major="$(java_major "$TRINO_JAVA_HOME" 2>/dev/null || true)"
    [ -n "$major" ] && [ "$major" -ge "$need" ] \
      || die "TRINO_JAVA_HOME=$TRINO_JAVA_HOME is not a Java $need+ JDK (Trino $VERSION needs Java $need or newer)"
    echo "$TRINO_JAVA_HOME"
    return
  fi
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  for d in ${TRINO_JDK_DIRS:-/usr/lib/jvm/*/ /opt/java/*/}; do [ -d "$d" ] && candidates+=("${d%/}"); done
  if [ -z "${TRINO_JDK_DIRS:-}" ] && command -v java >/dev/null; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  for d in "${candidates[@]}"; do
    [ -x "$d/bin/java" ] || continue
    major="$(java_major "$d")"
    [ -n "$major" ] || continue
    seen="$seen $(basename "$d")=$major"
    if [ "$major" -ge "$need" ] && [ "$major" -gt "$best_major" ]; then best="$d"; best_major="$major"; fi
  done
  [ -n "$best" ] || die "Trino $VERSION needs Java $need or newer, found none (JDKs seen:${seen:- none}). Install a JDK $need+ (e.g. Temurin 25) under /usr/lib/jvm or set TRINO_JAVA_HOME."
  echo "$best"
}

healthy() {
  [ -f "$CA_FILE" ] && curl -fsS --max-time 2 --cacert "$CA_FILE" "$URL/v1/info" 2>/dev/null | grep -q '"starting":false'
}

# How a client reaches this Trino (printed once it is up).
client_env() {
  say "clients: export TRINO_URL=$URL TRINO_CA_FILE=$CA_FILE TRINO_USER=lakehouse TRINO_PASSWORD=\"\$(cat $TRINO_SECURITY_DIR/lakehouse.password)\" (analysts: scripts/trino-user.sh add <name> --study <id>)"
}

# The pid in a pid file (default the coordinator's), if that process is alive and is a Trino server
# (not a reused pid).
running_pid() {
  local file="${1:-$PID_FILE}"
  [ -f "$file" ] || return 1
  local pid; pid="$(cat "$file")"
  kill -0 "$pid" 2>/dev/null && grep -qa 'io.trino.server' "/proc/$pid/cmdline" 2>/dev/null && echo "$pid"
}

# Active workers the coordinator lists (system.runtime.nodes), as lakehouse; empty when it cannot say.
active_workers() {
  TRINO_CA_FILE="$CA_FILE" TRINO_USER=lakehouse TRINO_PASSWORD="$(ping_password)" \
    node "$ROOT/scripts/trino-ping.mjs" --active-workers "$URL" 2>/dev/null || true
}

# As lakehouse: TRINO_PASSWORD when it is lakehouse's (init hashed it), else the generated one.
ping_password() {
  if [ "${TRINO_USER:-lakehouse}" = lakehouse ] && [ -n "${TRINO_PASSWORD:-}" ]; then echo "$TRINO_PASSWORD"
  else cat "$TRINO_SECURITY_DIR/lakehouse.password" 2>/dev/null || true; fi
}

# Stops what this start launched when it fails half-way (coordinator and workers), by their pid files.
abort_started() {
  local f pid
  for f in "$STATE"/worker-*/trino.pid "$PID_FILE"; do
    pid="$(running_pid "$f")" && kill -TERM "$pid" 2>/dev/null || true
    rm -f "$f"
  done
}

# Our server is still starting (e.g. a concurrent start): wait for it rather than start another.
if pid="$(running_pid)" && ! healthy; then
  say "Trino (pid $pid) is starting; waiting for it"
  for _ in $(seq 1 "$TIMEOUT"); do healthy && break; kill -0 "$pid" 2>/dev/null || break; sleep 1; done
fi
if pid="$(running_pid)" && healthy; then
  served="$(cat "$STATE/data-dir" 2>/dev/null || true)"
  [ "$served" = "$LAKEHOUSE_DATA_DIR" ] \
    || die "Trino on port $TRINO_PORT (pid $pid) serves $served, not $LAKEHOUSE_DATA_DIR; stop it first (scripts/trino-stop.sh)"
  served="$(cat "$STATE/security-dir" 2>/dev/null || true)"
  [ "$served" = "$TRINO_SECURITY_DIR" ] \
    || die "Trino on port $TRINO_PORT (pid $pid) uses the security dir $served, not $TRINO_SECURITY_DIR; stop it first (scripts/trino-stop.sh)"
  served="$(cat "$STATE/workers" 2>/dev/null || echo 0)"
  [ "$served" = "$WORKERS" ] \
    || die "Trino on port $TRINO_PORT (pid $pid) runs with $served worker(s), not $WORKERS; stop it first (scripts/trino-stop.sh)"
  served="$(cat "$STATE/s3" 2>/dev/null || true)"
  [ "$served" = "$S3_SETTINGS" ] \
    || die "Trino on port $TRINO_PORT (pid $pid) reads S3 at ${served:-unrecorded settings}, not $S3_SETTINGS; stop it first (scripts/trino-stop.sh)"
  if [ "$WORKERS" -gt 0 ]; then
    active="$(active_workers)"
    [ "$active" = "$WORKERS" ] || die "Trino on port $TRINO_PORT (pid $pid) lists ${active:-no} active worker(s) of $WORKERS; restart it (scripts/trino-stop.sh, then start)"
  fi
  say "Trino already running (pid $pid) at $URL with $WORKERS worker(s)"
  exit 0
fi
port_taken() {
  curl -fsS --max-time 2 --insecure "https://127.0.0.1:$1/v1/info" >/dev/null 2>&1 || curl -fsS --max-time 2 "http://127.0.0.1:$1/v1/info" >/dev/null 2>&1 \
    || (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}
if port_taken "$TRINO_PORT"; then
  die "port $TRINO_PORT is already served by another process; stop it or set TRINO_PORT"
fi
for f in "$STATE"/worker-*/trino.pid; do
  if [ -f "$f" ] && running_pid "$f" >/dev/null; then
    die "a worker of a previous start (pid $(cat "$f"), $(dirname "$f")) is still running; stop it first (scripts/trino-stop.sh)"
  fi
done
for i in $(seq 1 "$WORKERS"); do
  port=$((WORKER_BASE_PORT + i - 1))
  port_taken "$port" && die "port $port (worker $i) is already in use; stop that process or set TRINO_WORKER_BASE_PORT"
done

JDK="$(pick_jdk)"   # before the download: no point fetching Trino that cannot run here
TRINO_HOME="$("$ROOT/scripts/trino-install.sh")"
say "Trino $VERSION with Java $(java_major "$JDK") ($JDK), data dir $LAKEHOUSE_DATA_DIR, port $TRINO_PORT$([ "$WORKERS" -gt 0 ] && echo ", $WORKERS worker(s) on ports $WORKER_BASE_PORT-$((WORKER_BASE_PORT + WORKERS - 1))")"
say "$(s3_summary)"
mkdir -p "$STATE/var" "$LAKEHOUSE_DATA_DIR/_trino/metastore"
(umask 077 && cd "$ROOT" && node --import tsx scripts/trino-security.ts init) || die "could not prepare the security dir $TRINO_SECURITY_DIR"

started=$(date +%s)
rm -rf "$STATE"/worker-*
# The shared secret reaches Trino through its environment only (config.properties reads
# ${ENV:TRINO_SHARED_SECRET}); it is never on a command line. Client passwords stay out of it.
launch() {   # launch <log file> <launcher args...>
  local log="$1"; shift
  TRINO_SHARED_SECRET="$(cat "$TRINO_SECURITY_DIR/shared-secret")" env -u TRINO_PASSWORD -u TRINO_SUPERSET_PASSWORD \
    setsid nohup "$TRINO_HOME/bin/launcher" run "$@" --jvm-dir "$JDK" >"$log" 2>&1 < /dev/null &
  echo $!
}
launch "$LOG_FILE" --etc-dir "$ROOT/trino/etc" --data-dir "$STATE/var" > "$PID_FILE"
echo "$LAKEHOUSE_DATA_DIR" > "$STATE/data-dir"
echo "$TRINO_SECURITY_DIR" > "$STATE/security-dir"
echo "$WORKERS" > "$STATE/workers"
echo "$S3_SETTINGS" > "$STATE/s3"
pid="$(cat "$PID_FILE")"
# Workers start at the same time; they keep announcing themselves until the coordinator is up.
for i in $(seq 1 "$WORKERS"); do
  dir="$STATE/worker-$i"
  mkdir -p "$dir/var"
  port=$((WORKER_BASE_PORT + i - 1))
  echo "$port" > "$dir/port"
  TRINO_NODE_ID="lakehouse-$TRINO_PORT-worker-$i" TRINO_PORT="$port" TRINO_DISCOVERY_URI="$URL" \
    launch "$dir/server.log" --etc-dir "$ROOT/trino/etc" --config "$ROOT/trino/etc/worker/config.properties" \
    --jvm-config "$ROOT/trino/etc/worker/jvm.config" --data-dir "$dir/var" > "$dir/trino.pid"
done

# Fails the start: the last lines of the log of whatever died, then everything this start launched is stopped.
fail_start() {
  local f
  for f in "$LOG_FILE" "$STATE"/worker-*/server.log; do
    [ -f "$f" ] && { echo "--- $f" >&2; tail -n 15 "$f" >&2; }
  done
  abort_started
  die "$1"
}
check_alive() {
  kill -0 "$pid" 2>/dev/null || fail_start "Trino exited during start-up; log: $LOG_FILE"
  local i
  for i in $(seq 1 "$WORKERS"); do
    kill -0 "$(cat "$STATE/worker-$i/trino.pid")" 2>/dev/null || fail_start "worker $i exited during start-up; log: $STATE/worker-$i/server.log"
  done
  if [ $(( $(date +%s) - started )) -ge "$TIMEOUT" ]; then
    fail_start "Trino did not become ready within $TIMEOUT s (coordinator log $LOG_FILE)"
  fi
}

until healthy; do
  check_alive
  sleep 1
done
TRINO_CA_FILE="$CA_FILE" TRINO_USER=lakehouse TRINO_PASSWORD="$(ping_password)" \
  node "$ROOT/scripts/trino-ping.mjs" "$URL" >&2 || fail_start "Trino answers /v1/info but not 'select 1' as lakehouse (log $LOG_FILE)"
if [ "$WORKERS" -gt 0 ]; then
  until [ "$(active_workers)" = "$WORKERS" ]; do
    check_alive
    sleep 1
  done
  say "the coordinator lists $WORKERS active worker(s) (logs $STATE/worker-*/server.log)"
fi
say "Trino is up (pid $pid$([ "$WORKERS" -gt 0 ] && echo ", workers $(cat "$STATE"/worker-*/trino.pid | tr "\n" " " | sed "s/ $//")")) at $URL after $(( $(date +%s) - started )) s; log $LOG_FILE"
client_env
