#!/usr/bin/env bash
# Stops the Trino that scripts/trino-start.sh started on TRINO_PORT, its workers included (the pid
# files under $LAKEHOUSE_CACHE_DIR/trino/run-<port>/ and run-<port>/worker-<i>/): SIGTERM to all,
# then SIGKILL to those still alive after TRINO_STOP_TIMEOUT seconds (default 30). Only processes
# whose pid file names a live Trino server are signalled. Stopping a Trino that is not running is
# not an error.
set -euo pipefail
CACHE="${LAKEHOUSE_CACHE_DIR:-$HOME/.cache/lakehouse}"
TRINO_PORT="${TRINO_PORT:-8080}"
STATE="$CACHE/trino/run-$TRINO_PORT"
PID_FILE="$STATE/trino.pid"
TIMEOUT="${TRINO_STOP_TIMEOUT:-30}"

say() { echo "trino-stop: $*" >&2; }

is_trino() { kill -0 "$1" 2>/dev/null && grep -qa 'io.trino.server' "/proc/$1/cmdline" 2>/dev/null; }

# name:pid of every live Trino this start launched; stale pid files are removed.
targets=()
seen=0
for f in "$STATE"/worker-*/trino.pid "$PID_FILE"; do
  [ -f "$f" ] || continue
  seen=$((seen + 1))
  if [ "$f" = "$PID_FILE" ]; then name="Trino"; else name="worker $(basename "$(dirname "$f")" | sed 's/^worker-//')"; fi
  pid="$(cat "$f")"
  if is_trino "$pid"; then
    targets+=("$name:$pid:$f")
  else
    say "$name (pid $pid) is not running; removing the stale pid file"
    rm -f "$f"
  fi
done
if [ "$seen" = 0 ]; then
  say "no pid file ($PID_FILE): Trino on port $TRINO_PORT is not running"
  exit 0
fi
[ ${#targets[@]} -gt 0 ] || exit 0

for t in "${targets[@]}"; do IFS=: read -r _ pid _ <<<"$t"; kill -TERM "$pid" 2>/dev/null || true; done
for _ in $(seq 1 "$TIMEOUT"); do
  alive=0
  for t in "${targets[@]}"; do IFS=: read -r _ pid _ <<<"$t"; is_trino "$pid" && alive=1; done
  [ "$alive" = 0 ] && break
  sleep 1
done
for t in "${targets[@]}"; do
  IFS=: read -r name pid file <<<"$t"
  if is_trino "$pid"; then
    say "$name (pid $pid) did not stop within $TIMEOUT s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
  say "stopped $name (pid $pid)"
done
