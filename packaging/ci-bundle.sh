#!/usr/bin/env bash
# CI (.ci/run, after the tests): builds the frozen Linux bundle and checks it with
# packaging/check-bundle.sh — only when the packaging changed since the previous commit
# (packaging/, installer.iss, pyproject.toml), because a PySide6 bundle takes minutes to build.
#   MOSTRADOR_BUNDLE=1 bash packaging/ci-bundle.sh   # always build;  =0: never
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${MOSTRADOR_BUNDLE:-auto}"
[ "$mode" = 0 ] && { echo "bundle: skipped (MOSTRADOR_BUNDLE=0)"; exit 0; }
if [ "$mode" = auto ] && git rev-parse -q --verify HEAD~1 >/dev/null 2>&1; then
  changed=$(git diff --name-only HEAD~1 -- packaging installer.iss pyproject.toml)
  if [ -z "$changed" ]; then
    echo "bundle: packaging/, installer.iss and pyproject.toml unchanged since HEAD~1: not rebuilt"
    exit 0
  fi
  echo "bundle: changed since HEAD~1:"; echo "$changed" | sed 's/^/  /'
fi
bash packaging/build-linux.sh
bash packaging/check-bundle.sh
