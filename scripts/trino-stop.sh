#!/usr/bin/env bash
# Stops the Trino that scripts/trino-start.sh started on TRINO_PORT, by the pid in its pid file:
# SIGTERM, then SIGKILL after TRINO_STOP_TIMEOUT seconds (default 30). Stopping a Trino that is not
# running is not an error.
set -euo pipefail
CACHE="${LAKEHOUSE_CACHE_DIR:-$HOME/.cache/lakehouse}"
TRINO_PORT="${TRINO_PORT:-8080}"
PID_FILE="$CACHE/trino/run-$TRINO_PORT/trino.pid"
TIMEOUT="${TRINO_STOP_TIMEOUT:-30}"

say() { echo "trino-stop: $*" >&2; }

if [ ! -f "$PID_FILE" ]; then
  say "no pid file ($PID_FILE): Trino on port $TRINO_PORT is not running"
  exit 0
fi
pid="$(cat "$PID_FILE")"
if ! kill -0 "$pid" 2>/dev/null || ! grep -qa 'io.trino.server' "/proc/$pid/cmdline" 2>/dev/null; then
  say "Trino (pid $pid) is not running; removing the stale pid file"
  rm -f "$PID_FILE"
  exit 0
fi
kill -TERM "$pid"
for _ in $(seq 1 "$TIMEOUT"); do
  kill -0 "$pid" 2>/dev/null || break
  sleep 1
done
if kill -0 "$pid" 2>/dev/null; then
  say "Trino (pid $pid) did not stop within $TIMEOUT s; killing it"
  kill -KILL "$pid" 2>/dev/null || true
fi
rm -f "$PID_FILE"
say "stopped Trino (pid $pid)"
