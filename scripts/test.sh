#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian/Ubuntu machine, then runs them.
# This is the README's test command and what CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v xmlsec1  >/dev/null || need+=(xmlsec1)
command -v pdftoppm >/dev/null || need+=(poppler-utils)
command -v zbarimg  >/dev/null || need+=(zbar-tools)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

python3 -m pip install -q -e '.[test]'
export QT_QPA_PLATFORM=offscreen
exec python3 -m pytest "$@"
