#!/usr/bin/env bash
# Creates/updates the admin user (SUPERSET_ADMIN_USER / SUPERSET_ADMIN_PASSWORD, refused when weak),
# the Trino connection (as the read-only user `superset`), the dashboards, and re-applies the
# analysts' role and row filters to the datasets (superset/bootstrap.py, idempotent). Needs the venv from superset-install.sh and a running Trino; the Superset web
# server need not run. Natively, the bundle is first regenerated from the current table
# declarations into $SUPERSET_HOME/assets-build (superset/generate.ts --out), so a table
# declared since the YAML was last committed is already there; the repo's files are not touched.
# Extra arguments go to bootstrap.py (e.g. --zip-out bundle.zip).
set -euo pipefail
source "$(dirname "$0")/superset-common.sh"
ss_check_admin || exit 1
ss_load_secrets

assets="$REPO_ROOT/superset/assets"
if [ -d "$REPO_ROOT/node_modules/tsx" ]; then
  build="$SUPERSET_HOME/assets-build"
  rm -rf "$build" && mkdir -p "$build" && cp -R "$assets/." "$build/"
  (cd "$REPO_ROOT" && node --import tsx superset/generate.ts --out "$build" 2>&1 | grep -v ' wrote ' >&2 || true)
  [ -f "$build/metadata.yaml" ] && assets="$build"
fi
exec "$SUPERSET_VENV/bin/python" "$REPO_ROOT/superset/bootstrap.py" --assets "$assets" "$@" >&2
