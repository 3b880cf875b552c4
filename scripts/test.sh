#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian/Ubuntu machine, then runs them.
# This is the README's test command and what CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v xmlsec1  >/dev/null || need+=(xmlsec1)
command -v pdftoppm >/dev/null || need+=(poppler-utils)
command -v zbarimg  >/dev/null || need+=(zbar-tools)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || need+=(postgresql)  # tests/central
# Qt (offscreen) needs these shared libraries and at least one font to draw text
for lib in libEGL.so.1 libGL.so.1 libxkbcommon.so.0 libfontconfig.so.1 libdbus-1.so.3; do
  ldconfig -p | grep -q "$lib" || need+=("$lib")
done
fc-list 2>/dev/null | grep -qi dejavu || need+=(fonts-dejavu-core)

SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
if [ ${#need[@]} -gt 0 ]; then
  declare -A pkg=([libEGL.so.1]=libegl1 [libGL.so.1]=libgl1 [libxkbcommon.so.0]=libxkbcommon0
                  [libfontconfig.so.1]=libfontconfig1 [libdbus-1.so.3]=libdbus-1-3)
  names=(); for n in "${need[@]}"; do names+=("${pkg[$n]:-$n}"); done
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${names[@]}" >/dev/null
fi

. scripts/venv.sh
python -m pip install -q -e '.[test]'
export QT_QPA_PLATFORM=offscreen
lint-imports --no-cache
exec python -m pytest "$@"
