#!/usr/bin/env bash
# Stops the Superset started by superset-start.sh, by the pid in its pid file.
set -euo pipefail
source "$(dirname "$0")/superset-common.sh"

if ! pid="$(ss_running_pid)"; then
  ss_log "not running"; rm -f "$SUPERSET_PID_FILE"; exit 0
fi
kill -TERM "$pid"
for _ in $(seq 1 40); do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.5
done
if kill -0 "$pid" 2>/dev/null; then
  ss_log "pid $pid did not stop within 20 s; killing its process group"
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
fi
rm -f "$SUPERSET_PID_FILE"
ss_log "stopped (pid $pid)"
