#!/usr/bin/env bash
# Creates (once) the cached Python virtual environment used by scripts/sklearn_reference.py, the
# scikit-learn side of the random-forest comparison (bench/ml-compare.ts). Prints the venv's python
# path on stdout; logs go to stderr. A second run with the same pins reuses the venv without any
# download.
set -euo pipefail

CACHE_DIR="${LAKEHOUSE_CACHE_DIR:-$HOME/.cache/lakehouse}"
VENV="$CACHE_DIR/sklearn-venv"
PINS="scikit-learn==1.9.1 numpy==2.4.6 pandas==3.1.1"
STAMP="$VENV/.lakehouse-pins"

if [[ -x "$VENV/bin/python" && -f "$STAMP" && "$(cat "$STAMP")" == "$PINS" ]]; then
  echo "$VENV/bin/python"
  exit 0
fi

echo "sklearn-venv: creating $VENV ($PINS)" >&2
mkdir -p "$CACHE_DIR"
rm -rf "$VENV"
python3 -m venv "$VENV"
# shellcheck disable=SC2086
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check $PINS >&2
echo "$PINS" > "$STAMP"
echo "$VENV/bin/python"
