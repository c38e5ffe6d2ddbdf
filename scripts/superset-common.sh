# Shared settings of the scripts/superset-*.sh scripts (sourced, not run).
# Everything Superset writes natively lives outside the repo, under $LAKEHOUSE_CACHE_DIR:
#   superset-venv/   the pinned Superset install (reused while its marker matches)
#   superset-home/   SUPERSET_HOME: metadata DB (SQLite), logs, pid file, generated local secrets
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export LAKEHOUSE_CACHE_DIR="${LAKEHOUSE_CACHE_DIR:-$HOME/.cache/lakehouse}"
SUPERSET_VENV="$LAKEHOUSE_CACHE_DIR/superset-venv"
export SUPERSET_HOME="${SUPERSET_HOME:-$LAKEHOUSE_CACHE_DIR/superset-home}"
export SUPERSET_CONFIG_PATH="$REPO_ROOT/superset/superset_config.py"
export SUPERSET_PORT="${SUPERSET_PORT:-8088}"
export SUPERSET_URL="${SUPERSET_URL:-http://127.0.0.1:$SUPERSET_PORT}"
export SUPERSET_ADMIN_USER="${SUPERSET_ADMIN_USER:-admin}"
export TRINO_URL="${TRINO_URL:-http://127.0.0.1:${TRINO_PORT:-8080}}"
export TRINO_USER="${TRINO_USER:-lakehouse}"
export FLASK_APP=superset
SUPERSET_PID_FILE="$SUPERSET_HOME/superset.pid"
SUPERSET_LOG_FILE="$SUPERSET_HOME/superset.log"

ss_log() { echo "superset: $*" >&2; }

# A local secret generated once into a 0600 file under SUPERSET_HOME (never in the repo), for
# native runs and tests where the operator did not set one.
ss_local_secret() {
  local file="$SUPERSET_HOME/$1"
  if [ ! -s "$file" ]; then
    mkdir -p "$SUPERSET_HOME"
    (umask 077 && "$SUPERSET_VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(48))' >"$file")
    ss_log "generated a local $1 in $file (mode 0600)"
  fi
  cat "$file"
}

# SUPERSET_SECRET_KEY and SUPERSET_ADMIN_PASSWORD from the environment, else local generated ones.
ss_load_secrets() {
  if [ -z "${SUPERSET_SECRET_KEY:-}" ]; then SUPERSET_SECRET_KEY="$(ss_local_secret secret_key)"; fi
  if [ -z "${SUPERSET_ADMIN_PASSWORD:-}" ]; then SUPERSET_ADMIN_PASSWORD="$(ss_local_secret admin_password)"; fi
  export SUPERSET_SECRET_KEY SUPERSET_ADMIN_PASSWORD
}

ss_running_pid() {
  [ -f "$SUPERSET_PID_FILE" ] || return 1
  local pid; pid="$(cat "$SUPERSET_PID_FILE")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}
