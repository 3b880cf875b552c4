"""Where the copied sample documents live (tests/samples, see its SOURCES.md)."""
from pathlib import Path

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
EC_SIGNER_SAMPLES = SAMPLES / "ec" / "ec-sri-invoice-signer"
PY_SET_SAMPLES = SAMPLES / "py" / "set-2019-v150"
