#!/usr/bin/env bash
# Starts the real serving stack natively (Trino, then Superset), runs the *.stack.test.ts files
# against it, and stops what it started. Used by `npm run test:stack` and .ci/run.
#
# STACK_SERVICES: which services to start, comma-separated (default s3,trino,superset; `trino` runs the
# Trino stack tests without Superset: STACK_SERVICES=trino bash scripts/test-stack.sh trino).
# TRINO_WORKERS: Trino worker JVMs next to the coordinator (scripts/trino-start.sh --workers N; the
# coordinator then runs no tasks itself); default 2 under CI (CI set, as .ci/run does), else 0 (a
# single node, quicker to start). lib/trino/cluster.stack.test.ts needs 2 or more and is skipped
# otherwise. Workers take the ports after TRINO_PORT (TRINO_PORT+1 ... +N).
# Arguments are path substrings that select stack test files (scripts/run-tests.mjs).
set -euo pipefail
cd "$(dirname "$0")/.."

export LAKEHOUSE_CACHE_DIR="${LAKEHOUSE_CACHE_DIR:-$HOME/.cache/lakehouse}"
STACK_SERVICES="${STACK_SERVICES:-s3,trino,superset}"
wants() { [[ ",$STACK_SERVICES," == *",$1,"* ]]; }
made_security_dir=""
cleanup() {
  # --- superset stop (owned by the Superset scripts) ---
  if wants superset && [ -x scripts/superset-stop.sh ]; then scripts/superset-stop.sh || true; fi
  # --- trino stop (owned by the Trino scripts) ---
  if wants trino && [ -x scripts/trino-stop.sh ]; then scripts/trino-stop.sh || true; fi
  # --- s3 stop ---
  if wants s3; then scripts/s3-server-stop.sh || true; fi
  if [ -n "$made_security_dir" ]; then rm -rf "$made_security_dir"; fi
}
trap cleanup EXIT

# --- s3 start ---
# An S3-compatible server (moto, scripts/s3-server-start.sh) for the tests of lakes on object storage
# (lib/mirror.stack.test.ts, lib/trino/mirror.stack.test.ts), started before Trino so that Trino's
# catalog gets its endpoint; DuckDB's httpfs comes from PyPI's wheel (scripts/duckdb-extensions.sh).
# Throwaway credentials: the server accepts any.
if wants s3; then
  export LAKEHOUSE_S3_ENDPOINT="$(scripts/s3-server-start.sh)"
  export LAKEHOUSE_DUCKDB_EXTENSION_DIR="$(scripts/duckdb-extensions.sh httpfs)"
  export AWS_ACCESS_KEY_ID="stack-$(node -e "process.stdout.write(require('node:crypto').randomBytes(6).toString('hex'))")"
  export AWS_SECRET_ACCESS_KEY="$(node -e "process.stdout.write(require('node:crypto').randomBytes(24).toString('base64url'))")"
fi

# --- trino start (owned by the Trino scripts) ---
# The stack tests build their lake in LAKEHOUSE_DATA_DIR, the data dir this Trino serves (a fresh
# temporary one unless STACK_DATA_DIR names one). TRINO_PORT lets a developer avoid a busy 8080.
# Trino's users, certificate and rules go to a fresh temporary TRINO_SECURITY_DIR (unless
# STACK_SECURITY_DIR names one), so the tests' analysts never land in an operator's security dir;
# the service users' passwords are generated there and handed to the tests below.
if wants trino && [ -x scripts/trino-start.sh ]; then
  export LAKEHOUSE_DATA_DIR="${STACK_DATA_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/lakehouse-stack.XXXXXX")}"
  if [ -n "${STACK_SECURITY_DIR:-}" ]; then
    export TRINO_SECURITY_DIR="$STACK_SECURITY_DIR"
  else
    made_security_dir="$(mktemp -d "${TMPDIR:-/tmp}/lakehouse-stack-security.XXXXXX")"
    export TRINO_SECURITY_DIR="$made_security_dir"
  fi
  export TRINO_PORT="${TRINO_PORT:-8080}"
  export TRINO_URL="https://127.0.0.1:$TRINO_PORT"
  export TRINO_CA_FILE="$TRINO_SECURITY_DIR/tls/ca.pem"
  export TRINO_USER=lakehouse
  unset TRINO_PASSWORD TRINO_SUPERSET_PASSWORD   # generated into the security dir by the start script
  if [ -n "${CI:-}" ]; then export TRINO_WORKERS="${TRINO_WORKERS:-2}"; else export TRINO_WORKERS="${TRINO_WORKERS:-0}"; fi
  scripts/trino-start.sh --workers "$TRINO_WORKERS"
  TRINO_PASSWORD="$(cat "$TRINO_SECURITY_DIR/lakehouse.password")"
  TRINO_SUPERSET_PASSWORD="$(cat "$TRINO_SECURITY_DIR/superset.password")"
  # Node's fetch (e.g. of /v1/info) trusts the self-signed certificate too.
  export TRINO_PASSWORD TRINO_SUPERSET_PASSWORD NODE_EXTRA_CA_CERTS="$TRINO_CA_FILE"
fi

# --- superset start (owned by the Superset scripts) ---
# The browser tests drive Debian's chromium; the admin of this run gets a random password (there is
# no default one), unless the caller set SUPERSET_ADMIN_USER / SUPERSET_ADMIN_PASSWORD.
if wants superset && [ -x scripts/superset-start.sh ]; then
  scripts/install-chromium.sh || echo "test-stack: warning: chromium install failed; browser tests will fail" >&2
  export SUPERSET_ADMIN_USER="${SUPERSET_ADMIN_USER:-stack-admin}"
  export SUPERSET_ADMIN_PASSWORD="${SUPERSET_ADMIN_PASSWORD:-$(node -e "process.stdout.write(require('node:crypto').randomBytes(24).toString('base64url'))")}"
  scripts/superset-start.sh
fi

node scripts/run-tests.mjs --stack "$@"
