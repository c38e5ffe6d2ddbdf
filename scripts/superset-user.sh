#!/usr/bin/env bash
# Analyst accounts of the native (or compose) Superset: read-only, each restricted to their studies
# by a row-level-security rule on every lakehouse dataset with listener_id (superset/users.py).
#   scripts/superset-user.sh add <name> --study <id> [--study <id>...]   create (prints a new password once) or change studies
#   scripts/superset-user.sh remove <name>
#   scripts/superset-user.sh list [--json]
# Writes Superset's metadata DB directly (Superset need not run; a running one sees the change at
# once). Compose: docker compose exec superset scripts/superset-user.sh add …
set -euo pipefail
source "$(dirname "$0")/superset-common.sh"
ss_load_secrets
if [ ! -x "$SUPERSET_VENV/bin/python" ]; then ss_log "Superset is not installed (scripts/superset-start.sh)"; exit 1; fi
exec "$SUPERSET_VENV/bin/python" "$REPO_ROOT/superset/users.py" "$@"
