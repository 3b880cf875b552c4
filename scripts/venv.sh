# Sourced by demo.sh and test.sh: makes ./.venv (a virtual environment, so a distribution's
# "externally managed" Python is never touched) and puts it first on PATH.
VENV="${MOSTRADOR_VENV:-$PWD/.venv}"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
if [ ! -x "$VENV/bin/python" ]; then
  if ! python3 -m venv "$VENV" 2>/dev/null; then
    # Debian/Ubuntu ship venv's ensurepip in a separate package
    rm -rf "$VENV"
    $SUDO apt-get update -qq
    ver=$(python3 -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "python${ver}-venv" >/dev/null 2>&1 \
      || DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv >/dev/null
    python3 -m venv "$VENV"
  fi
fi
export PATH="$VENV/bin:$PATH"
export VIRTUAL_ENV="$VENV"
