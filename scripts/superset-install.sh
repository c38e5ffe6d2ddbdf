#!/usr/bin/env bash
# Installs the pinned Superset (superset/requirements.txt + constraints.txt) into
# $LAKEHOUSE_CACHE_DIR/superset-venv, once: a marker holding the hash of both files makes a second
# run a no-op; a changed pin rebuilds the venv.
set -euo pipefail
source "$(dirname "$0")/superset-common.sh"

pick_python() {
  local py
  for py in python3.11 python3.12 python3.10 python3; do
    if command -v "$py" >/dev/null 2>&1 \
      && "$py" -c 'import sys; sys.exit(0 if (3, 10) <= sys.version_info[:2] <= (3, 12) else 1)'; then
      command -v "$py"; return 0
    fi
  done
  ss_log "no Python 3.10-3.12 found (Superset 6.1 needs one); install python3.11" ; return 1
}

req="$REPO_ROOT/superset/requirements.txt"
con="$REPO_ROOT/superset/constraints.txt"
want="$(cat "$req" "$con" | sha256sum | cut -d' ' -f1)"
marker="$SUPERSET_VENV/.lakehouse-installed"
if [ -f "$marker" ] && [ "$(cat "$marker")" = "$want" ] && [ -x "$SUPERSET_VENV/bin/superset" ]; then
  exit 0
fi

py="$(pick_python)"
ss_log "installing $(grep -E '^[a-z]' "$req" | tr '\n' ' ')into $SUPERSET_VENV (python: $py)"
rm -rf "$SUPERSET_VENV"
mkdir -p "$LAKEHOUSE_CACHE_DIR"
"$py" -m venv "$SUPERSET_VENV"
"$SUPERSET_VENV/bin/pip" install --quiet --disable-pip-version-check -r "$req" -c "$con"
echo "$want" >"$marker"
ss_log "installed $("$SUPERSET_VENV/bin/pip" show apache-superset 2>/dev/null | grep '^Version')"
