#!/usr/bin/env bash
# Exports the dashboards, charts, datasets and database of a running Superset (SUPERSET_URL,
# default http://127.0.0.1:8088) into superset/assets/, so edits made in the UI can be reviewed
# and committed. Then regenerates the files superset/generate.ts owns (datasets from the table
# declarations, the built-in charts and dashboards), keeping every chart and dashboard added in the
# UI, and charts added to a built-in dashboard at its end.
# Usage: scripts/superset-export.sh [--out DIR]   (SUPERSET_EXPORT_RAW=1: Superset's files only)
set -euo pipefail
source "$(dirname "$0")/superset-common.sh"
ss_load_secrets
out="$REPO_ROOT/superset/assets"
if [ "${1:-}" = "--out" ]; then out="$(realpath -m "$2")"; fi
"$SUPERSET_VENV/bin/python" "$REPO_ROOT/superset/export_assets.py" --out "$out"
if [ "${SUPERSET_EXPORT_RAW:-}" != "1" ]; then
  (cd "$REPO_ROOT" && node --import tsx superset/generate.ts --out "$out" 2>&1 | grep -v ' wrote ' >&2 || true)
fi
