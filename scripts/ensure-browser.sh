#!/usr/bin/env bash
# Installs what the browser tests need from Debian's packages: chromium (driven by
# playwright-core at /usr/bin/chromium) and fonts-noto-cjk (so that Chinese text renders
# in screenshots). Does nothing when both are present. Called by `npm test` (pretest)
# and by .ci/run; needs root (or sudo) the first time.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || need+=(fonts-noto-cjk)
[ ${#need[@]} -eq 0 ] && exit 0
echo "installing ${need[*]} from Debian's packages for the browser tests" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y --no-install-recommends "${need[@]}" >/dev/null 2>&1 ||
  { $SUDO apt-get update >/dev/null && $SUDO apt-get install -y --no-install-recommends "${need[@]}" >/dev/null; }
