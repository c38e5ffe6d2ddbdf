#!/usr/bin/env bash
# Trino's analysts and their studies (passwords in TRINO_SECURITY_DIR/password.db as bcrypt hashes,
# grants in TRINO_SECURITY_DIR/studies.yaml, rules regenerated into rules.json). Trino re-reads both
# files every 5 s: no restart needed.
#
#   scripts/trino-user.sh add <name> [--study <id>]... [--password-stdin]   prints the password once
#   scripts/trino-user.sh grant <name> --study <id>...    revoke <name> --study <id>...
#   scripts/trino-user.sh remove <name>                   list [--json]
#   scripts/trino-user.sh password <name> [--password-stdin]
#   scripts/trino-user.sh rules                           regenerate rules.json (after new tables)
#
# Env: TRINO_SECURITY_DIR (default $LAKEHOUSE_CACHE_DIR/trino/security, LAKEHOUSE_CACHE_DIR default
# ~/.cache/lakehouse). See trino/README.md, "Users, studies and rules".
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
umask 077
# tsx resolves from the working directory: run from the repo, with the security dir made absolute.
if [ -n "${TRINO_SECURITY_DIR:-}" ]; then export TRINO_SECURITY_DIR="$(realpath -m "$TRINO_SECURITY_DIR")"; fi
cd "$ROOT"
exec node --import tsx "$ROOT/scripts/trino-security.ts" "$@"
