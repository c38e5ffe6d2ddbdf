#!/usr/bin/env bash
# Starts an S3-compatible server on 127.0.0.1 for the tests of lakes on object storage (`lakehouse
# mirror`, s3:// data dirs, Trino over S3): moto's server (PyPI moto[server], pinned, in a cached
# venv), which keeps buckets in memory. It speaks the S3 REST API that DuckDB's httpfs, the AWS SDK and
# Trino's native S3 file system use; it is a stand-in for MinIO or AWS S3, not a mock inside our code.
# Prints the endpoint (http://127.0.0.1:<port>) on stdout once the server answers.
# Env: LAKEHOUSE_S3_PORT (default 9300), LAKEHOUSE_CACHE_DIR. Stop: scripts/s3-server-stop.sh.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CACHE_DIR="${LAKEHOUSE_CACHE_DIR:-$HOME/.cache/lakehouse}"
PORT="${LAKEHOUSE_S3_PORT:-9300}"
STATE="$CACHE_DIR/s3/run-$PORT"
URL="http://127.0.0.1:$PORT"
up() { curl -s -o /dev/null "$URL/moto-api/" 2>/dev/null; }

if [ -f "$STATE/pid" ] && kill -0 "$(cat "$STATE/pid")" 2>/dev/null; then
  up && { echo "$URL"; exit 0; }
fi
if up; then
  echo "s3-server: port $PORT is already served by another process; stop it or set LAKEHOUSE_S3_PORT" >&2
  exit 1
fi
PY="$("$ROOT/scripts/python-venv.sh" s3-venv 'moto[server]==5.2.5')"
mkdir -p "$STATE"
setsid nohup "$(dirname "$PY")/moto_server" -H 127.0.0.1 -p "$PORT" > "$STATE/server.log" 2>&1 < /dev/null &
echo $! > "$STATE/pid"
for _ in $(seq 1 60); do
  if up; then
    echo "s3-server: moto on $URL (pid $(cat "$STATE/pid"), log $STATE/server.log)" >&2
    echo "$URL"
    exit 0
  fi
  kill -0 "$(cat "$STATE/pid")" 2>/dev/null || { tail -n 20 "$STATE/server.log" >&2; echo "s3-server: exited during start-up" >&2; exit 1; }
  sleep 0.5
done
echo "s3-server: no answer on $URL within 30 s (log $STATE/server.log)" >&2
exit 1
