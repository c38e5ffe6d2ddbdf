#!/usr/bin/env bash
# Exports the dashboards, charts, datasets and database of a running Superset (SUPERSET_URL,
# default http://127.0.0.1:8088) into superset/assets/, so edits made in the UI can be reviewed
# and committed. Then re-applies the gold table declarations to the dataset files
# (scripts/superset-datasets.ts), so descriptions keep coming from the declarations.
# Usage: scripts/superset-export.sh [--out DIR]
set -euo pipefail
source "$(dirname "$0")/superset-common.sh"
ss_load_secrets
"$SUPERSET_VENV/bin/python" "$REPO_ROOT/superset/export_assets.py" "$@"
if [ "$#" -eq 0 ] && [ -f "$REPO_ROOT/scripts/superset-datasets.ts" ]; then
  (cd "$REPO_ROOT" && npx tsx scripts/superset-datasets.ts)
fi
