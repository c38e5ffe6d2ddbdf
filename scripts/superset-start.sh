#!/usr/bin/env bash
# Starts Superset natively on 127.0.0.1:$SUPERSET_PORT (default 8088): installs the pinned venv
# (once), upgrades and initialises the SQLite metadata DB under $SUPERSET_HOME, bootstraps the admin
# user, Trino connection and dashboards, starts gunicorn in the background (pid file
# $SUPERSET_HOME/superset.pid) and waits until /health answers. Settings come from the environment,
# then .env. The admin is SUPERSET_ADMIN_USER / SUPERSET_ADMIN_PASSWORD (required; a weak password is
# refused before anything starts); SUPERSET_SECRET_KEY, when unset, is generated once into a 0600
# file under $SUPERSET_HOME (see superset/README.md).
set -euo pipefail
source "$(dirname "$0")/superset-common.sh"
started=$SECONDS

ss_check_admin || exit 1
"$REPO_ROOT/scripts/superset-install.sh"
mkdir -p "$SUPERSET_HOME"
ss_load_secrets

health() { curl -fsS --max-time 5 "$SUPERSET_URL/health" >/dev/null 2>&1; }

if pid="$(ss_running_pid)" && health; then
  ss_log "already running (pid $pid) at $SUPERSET_URL"; exit 0
fi

ss_log "upgrading metadata DB in $SUPERSET_HOME"
"$SUPERSET_VENV/bin/superset" db upgrade >>"$SUPERSET_LOG_FILE" 2>&1 \
  || { tail -n 30 "$SUPERSET_LOG_FILE" >&2; ss_log "db upgrade failed"; exit 1; }
init_marker="$SUPERSET_HOME/.initialized"
want_init="$(cat "$SUPERSET_VENV/.lakehouse-installed")"
if [ "$(cat "$init_marker" 2>/dev/null)" != "$want_init" ]; then
  ss_log "initialising roles and permissions"
  "$SUPERSET_VENV/bin/superset" init >>"$SUPERSET_LOG_FILE" 2>&1 \
    || { tail -n 30 "$SUPERSET_LOG_FILE" >&2; ss_log "init failed"; exit 1; }
  echo "$want_init" >"$init_marker"
fi
# The bootstrap needs Trino (Superset asks it for catalogs when importing the connection). Without
# one, Superset still starts, without dashboards; the stack tests then skip with that reason.
if ss_trino_curl -fsS --max-time 5 "$TRINO_URL/v1/info" >/dev/null 2>&1; then
  boot_err="$SUPERSET_HOME/bootstrap.err"
  if "$REPO_ROOT/scripts/superset-bootstrap.sh" 2>"$boot_err"; then
    grep '^superset bootstrap:' "$boot_err" >&2 || true
  else
    tail -n 30 "$boot_err" >&2
    ss_log "warning: bootstrap failed (full output in $boot_err); starting without dashboards"
  fi
  cat "$boot_err" >>"$SUPERSET_LOG_FILE"
else
  ss_log "warning: Trino is not reachable at $TRINO_URL; skipping the bootstrap (run scripts/superset-bootstrap.sh later)"
fi

# Request limits stay on (0 would mean unlimited): see superset/README.md.
ss_log "starting gunicorn on 127.0.0.1:$SUPERSET_PORT (log: $SUPERSET_LOG_FILE)"
setsid nohup "$SUPERSET_VENV/bin/gunicorn" --bind "127.0.0.1:$SUPERSET_PORT" \
  --workers "${SUPERSET_WORKERS:-2}" --worker-class gthread --threads 8 --timeout 120 --keep-alive 30 \
  --limit-request-line 8190 --limit-request-field_size 8190 --limit-request-fields 100 \
  "superset.app:create_app()" >>"$SUPERSET_LOG_FILE" 2>&1 </dev/null &
echo $! >"$SUPERSET_PID_FILE"

for _ in $(seq 1 180); do
  if health; then
    ss_log "healthy at $SUPERSET_URL after $((SECONDS - started)) s (pid $(cat "$SUPERSET_PID_FILE"))"
    exit 0
  fi
  if ! ss_running_pid >/dev/null; then
    tail -n 40 "$SUPERSET_LOG_FILE" >&2; ss_log "gunicorn exited during start"; exit 1
  fi
  sleep 1
done
tail -n 40 "$SUPERSET_LOG_FILE" >&2
ss_log "not healthy after 180 s"; "$REPO_ROOT/scripts/superset-stop.sh" || true; exit 1
