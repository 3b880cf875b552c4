#!/usr/bin/env bash
# Builds the Linux one-folder bundle dist/Mostrador/ (mostradorw + mostrador) from this checkout.
#   bash packaging/build-linux.sh            # then: bash packaging/check-bundle.sh
# Uses the project's virtual environment (scripts/venv.sh; MOSTRADOR_VENV chooses another).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/venv.sh
python -m pip install -q -e . "pyinstaller>=6.5,<7"
python -m PyInstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller \
  packaging/mostrador.spec
echo "Mostrador $(python packaging/layout.py version): dist/Mostrador ($(du -sh dist/Mostrador | cut -f1))"
