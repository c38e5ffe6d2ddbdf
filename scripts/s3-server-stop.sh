#!/usr/bin/env bash
# Stops the S3-compatible test server scripts/s3-server-start.sh started (same LAKEHOUSE_S3_PORT).
set -euo pipefail
CACHE_DIR="${LAKEHOUSE_CACHE_DIR:-$HOME/.cache/lakehouse}"
STATE="$CACHE_DIR/s3/run-${LAKEHOUSE_S3_PORT:-9300}"
if [ -f "$STATE/pid" ]; then
  pid="$(cat "$STATE/pid")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$STATE/pid"
fi
