#!/usr/bin/env bash
# Installs DuckDB extensions the lake needs for offline loading: <dir>/v<duckdb>/<name>.duckdb_extension
# under ${LAKEHOUSE_DUCKDB_EXTENSION_DIR:-$LAKEHOUSE_CACHE_DIR/duckdb-extensions}, which
# lib/object-store.ts loads before trying DuckDB's own INSTALL. The binaries are DuckDB's signed
# builds, taken from PyPI's duckdb-extension-<name> wheels at the exact version of the DuckDB that
# @duckdb/node-api bundles (an extension must match its DuckDB exactly); for machines that cannot
# reach DuckDB's extension repository (extensions.duckdb.org), such as this project's CI.
#   scripts/duckdb-extensions.sh [name...]     default: httpfs (reading and mirroring s3:// lakes)
# Prints the extension dir on stdout; a second run finds the files and downloads nothing.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CACHE_DIR="${LAKEHOUSE_CACHE_DIR:-$HOME/.cache/lakehouse}"
DIR="${LAKEHOUSE_DUCKDB_EXTENSION_DIR:-$CACHE_DIR/duckdb-extensions}"
NAMES=("$@")
[ ${#NAMES[@]} -gt 0 ] || NAMES=(httpfs)
# 1.5.5-r.5 -> 1.5.5: the DuckDB release inside the Node binding.
VERSION="$(cd "$ROOT" && node -p "require('@duckdb/node-api/package.json').version.split('-')[0]")"
mkdir -p "$DIR/v$VERSION"
for name in "${NAMES[@]}"; do
  target="$DIR/v$VERSION/$name.duckdb_extension"
  [ -s "$target" ] && continue
  echo "duckdb-extensions: $name $VERSION from PyPI (duckdb-extension-$name==$VERSION)" >&2
  tmp="$(mktemp -d)"
  python3 -m venv "$tmp/venv" >&2
  "$tmp/venv/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps \
    "duckdb-extension-$name==$VERSION" -d "$tmp/wheel" >&2
  "$tmp/venv/bin/python" - "$tmp/wheel" "$name" "$VERSION" "$target.tmp" <<'PY'
import sys, zipfile, glob
wheel_dir, name, version, out = sys.argv[1:]
(wheel,) = glob.glob(f"{wheel_dir}/*.whl")
with zipfile.ZipFile(wheel) as z:
    member = next(m for m in z.namelist() if m.endswith(f"extensions/v{version}/{name}.duckdb_extension"))
    with open(out, "wb") as f:
        f.write(z.read(member))
PY
  mv "$target.tmp" "$target"
  rm -rf "$tmp"
done
echo "$DIR"
