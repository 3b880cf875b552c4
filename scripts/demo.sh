#!/usr/bin/env bash
# The README's first command: install Mostrador into ./.venv and run the headless demo.
# Extra arguments go to `mostrador demo` (e.g. --country PY --data-dir /tmp/py-demo).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/venv.sh
python -m pip install -q -e .
if [ $# -eq 0 ]; then set -- --headless --sales 10 --out demo-xml; fi
exec mostrador demo "$@"
