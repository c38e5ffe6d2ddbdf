#!/usr/bin/env bash
# Starts the real serving stack natively (Trino, then Superset), runs the *.stack.test.ts files
# against it, and stops what it started. Used by `npm run test:stack` and .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

export LAKEHOUSE_CACHE_DIR="${LAKEHOUSE_CACHE_DIR:-$HOME/.cache/lakehouse}"
cleanup() {
  # --- superset stop (owned by the Superset scripts) ---
  if [ -x scripts/superset-stop.sh ]; then scripts/superset-stop.sh || true; fi
  # --- trino stop (owned by the Trino scripts) ---
  if [ -x scripts/trino-stop.sh ]; then scripts/trino-stop.sh || true; fi
}
trap cleanup EXIT

# --- trino start (owned by the Trino scripts) ---
# The stack tests build their lake in LAKEHOUSE_DATA_DIR, the data dir this Trino serves (a fresh
# temporary one unless STACK_DATA_DIR names one). TRINO_PORT lets a developer avoid a busy 8080.
if [ -x scripts/trino-start.sh ]; then
  export LAKEHOUSE_DATA_DIR="${STACK_DATA_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/lakehouse-stack.XXXXXX")}"
  export TRINO_PORT="${TRINO_PORT:-8080}"
  export TRINO_URL="http://127.0.0.1:$TRINO_PORT"
  scripts/trino-start.sh
fi

# --- superset start (owned by the Superset scripts) ---
# The browser tests drive Debian's chromium; the admin of this run gets a random password (there is
# no default one), unless the caller set SUPERSET_ADMIN_USER / SUPERSET_ADMIN_PASSWORD.
if [ -x scripts/superset-start.sh ]; then
  scripts/install-chromium.sh || echo "test-stack: warning: chromium install failed; browser tests will fail" >&2
  export SUPERSET_ADMIN_USER="${SUPERSET_ADMIN_USER:-stack-admin}"
  export SUPERSET_ADMIN_PASSWORD="${SUPERSET_ADMIN_PASSWORD:-$(node -e "process.stdout.write(require('node:crypto').randomBytes(24).toString('base64url'))")}"
  scripts/superset-start.sh
fi

node scripts/run-tests.mjs --stack "$@"
