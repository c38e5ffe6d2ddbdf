#!/usr/bin/env bash
# Installs Debian's chromium for the headless browser tests (playwright-core drives
# /usr/bin/chromium; no browser is ever downloaded by a test tool). Idempotent: a no-op when present.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
echo "install-chromium: installing Debian's chromium" >&2
sudo_cmd=""
if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo_cmd apt-get -o DPkg::Lock::Timeout=600 update -qq
$sudo_cmd apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
/usr/bin/chromium --version >&2
