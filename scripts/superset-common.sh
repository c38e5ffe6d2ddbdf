# Shared settings of the scripts/superset-*.sh scripts (sourced, not run).
# Settings come from the environment, then from the repo's .env (like docker compose reads it; the
# environment wins). Everything Superset writes natively lives outside the repo, under
# $LAKEHOUSE_CACHE_DIR:
#   superset-venv/   the pinned Superset install (reused while its marker matches)
#   superset-home/   SUPERSET_HOME: metadata DB (SQLite), chart-data cache, logs, pid file, local secret key
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Exports KEY=value lines of an env file (compose's .env syntax: comments, blank lines, an optional
# `export `, single or double quotes, ` #` comments after unquoted values) for every KEY the
# environment does not set already. Empty values are skipped, so a default still applies.
ss_load_env() {
  local file="$1" line key value
  [ -f "$file" ] || return 0
  while IFS= read -r line || [ -n "$line" ]; do
    line="${line#"${line%%[![:space:]]*}"}"
    line="${line#export }"
    [[ "$line" =~ ^([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]] || continue
    key="${BASH_REMATCH[1]}"; value="${BASH_REMATCH[2]}"
    if [[ "$value" =~ ^\"(.*)\"[[:space:]]*(#.*)?$ ]] || [[ "$value" =~ ^\'(.*)\'[[:space:]]*(#.*)?$ ]]; then
      value="${BASH_REMATCH[1]}"
    else
      value="${value%%[[:space:]]#*}"
      value="${value%"${value##*[![:space:]]}"}"
    fi
    [ -n "$value" ] || continue
    if [ -z "${!key+set}" ]; then export "$key=$value"; fi
  done <"$file"
}
ss_load_env "$REPO_ROOT/.env"

export LAKEHOUSE_CACHE_DIR="${LAKEHOUSE_CACHE_DIR:-$HOME/.cache/lakehouse}"
SUPERSET_VENV="$LAKEHOUSE_CACHE_DIR/superset-venv"
export SUPERSET_HOME="${SUPERSET_HOME:-$LAKEHOUSE_CACHE_DIR/superset-home}"
export SUPERSET_CONFIG_PATH="$REPO_ROOT/superset/superset_config.py"
export SUPERSET_PORT="${SUPERSET_PORT:-8088}"
export SUPERSET_URL="${SUPERSET_URL:-http://127.0.0.1:$SUPERSET_PORT}"
export TRINO_URL="${TRINO_URL:-http://127.0.0.1:${TRINO_PORT:-8080}}"
# The lake Trino serves (as scripts/trino-start.sh resolves it): the chart-data cache is keyed on its version.
export LAKEHOUSE_DATA_DIR="$(realpath -m "${LAKEHOUSE_DATA_DIR:-data}")"
export FLASK_APP=superset
SUPERSET_PID_FILE="$SUPERSET_HOME/superset.pid"
SUPERSET_LOG_FILE="$SUPERSET_HOME/superset.log"

ss_log() { echo "superset: $*" >&2; }

# A local secret key generated once into a 0600 file under SUPERSET_HOME (never in the repo), for
# native runs and tests where the operator did not set one. Passwords are never generated here.
ss_local_secret() {
  local file="$SUPERSET_HOME/$1"
  if [ ! -s "$file" ]; then
    mkdir -p "$SUPERSET_HOME"
    (umask 077 && "$SUPERSET_VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(48))' >"$file")
    ss_log "generated a local $1 in $file (mode 0600)"
  fi
  cat "$file"
}

# SUPERSET_SECRET_KEY from the environment, else a local generated one; for an https Trino, the
# `superset` service user's password and the CA that scripts/trino-start.sh generated, unless set.
ss_load_secrets() {
  if [ -z "${SUPERSET_SECRET_KEY:-}" ]; then SUPERSET_SECRET_KEY="$(ss_local_secret secret_key)"; fi
  export SUPERSET_SECRET_KEY
  local security="${TRINO_SECURITY_DIR:-$LAKEHOUSE_CACHE_DIR/trino/security}"
  if [[ "$TRINO_URL" == https://* ]]; then
    if [ -z "${TRINO_SUPERSET_PASSWORD:-}" ] && [ -r "$security/superset.password" ]; then
      export TRINO_SUPERSET_PASSWORD="$(cat "$security/superset.password")"
    fi
    if [ -z "${TRINO_CA_FILE:-}" ] && [ -r "$security/tls/ca.pem" ]; then export TRINO_CA_FILE="$security/tls/ca.pem"; fi
  fi
  # requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE override the trino driver's `verify`: where one is
  # set (a corporate CA bundle), hand it a copy that also holds Trino's certificate.
  local bundle="${REQUESTS_CA_BUNDLE:-${CURL_CA_BUNDLE:-}}"
  if [ -n "${TRINO_CA_FILE:-}" ] && [ -n "$bundle" ] && [ -r "$bundle" ] && [ "$bundle" != "$SUPERSET_HOME/ca-bundle.pem" ]; then
    mkdir -p "$SUPERSET_HOME"
    (umask 077 && cat "$bundle" "$TRINO_CA_FILE" >"$SUPERSET_HOME/ca-bundle.pem")
    export REQUESTS_CA_BUNDLE="$SUPERSET_HOME/ca-bundle.pem" CURL_CA_BUNDLE="$SUPERSET_HOME/ca-bundle.pem"
  fi
}

# The admin comes from SUPERSET_ADMIN_USER / SUPERSET_ADMIN_PASSWORD (no default, no weak password):
# refused here, before anything is installed or started.
ss_check_admin() {
  local py; py="$(command -v python3 || echo "$SUPERSET_VENV/bin/python")"
  "$py" "$REPO_ROOT/superset/admin_password.py"
}

# curl options for Trino: its CA when TRINO_CA_FILE is set.
ss_trino_curl() {
  if [ -n "${TRINO_CA_FILE:-}" ]; then curl --cacert "$TRINO_CA_FILE" "$@"; else curl "$@"; fi
}

ss_running_pid() {
  [ -f "$SUPERSET_PID_FILE" ] || return 1
  local pid; pid="$(cat "$SUPERSET_PID_FILE")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}
