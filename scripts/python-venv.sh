#!/usr/bin/env bash
# Creates (once) a cached Python virtual environment for a reference tool the benchmarks compare
# against, and prints its python's path on stdout; logs go to stderr.
#   scripts/python-venv.sh <name> <pin>...    e.g. python-venv.sh spark-venv pyspark==3.5.9 duckdb==1.5.5
# The venv lives in ${LAKEHOUSE_CACHE_DIR:-~/.cache/lakehouse}/<name>, outside the repo. A second run
# with the same pins reuses it without any download; other pins rebuild it from nothing, so a venv
# never holds a mix of old and new packages.
set -euo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: $0 <venv name> <pin>..." >&2
  exit 2
fi
NAME="$1"
shift
CACHE_DIR="${LAKEHOUSE_CACHE_DIR:-$HOME/.cache/lakehouse}"
VENV="$CACHE_DIR/$NAME"
PINS="$*"
STAMP="$VENV/.lakehouse-pins"

if [[ -x "$VENV/bin/python" && -f "$STAMP" && "$(cat "$STAMP")" == "$PINS" ]]; then
  echo "$VENV/bin/python"
  exit 0
fi

echo "$NAME: creating $VENV ($PINS)" >&2
mkdir -p "$CACHE_DIR"
rm -rf "$VENV"
python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$@" >&2
# Written last: an interrupted install is redone, never reused half-installed.
echo "$PINS" > "$STAMP"
echo "$VENV/bin/python"
