"""Fixtures for the printing tests (helpers live in printing_helpers.py)."""
from printing_helpers import ec_sample, listener  # noqa: F401  (pytest fixtures)
