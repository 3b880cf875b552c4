"""packing._certificate finds the same X509Certificate match as the full regex search (it only
starts the regex where the leftmost match can begin): the dictionary choice must not change."""
from __future__ import annotations

import random

import pytest

from app.store import packing

CERT = b"MIIB" + b"A" * 80 + b"=="
CASES = [
    b"", b"<a/>", b"X509Certificate>" + CERT,
    b"<ds:X509Certificate>" + CERT + b"</ds:X509Certificate>",
    b"<ds:X509Certificate>\n  " + CERT + b"\n</ds:X509Certificate>",
    b"<x><X509Certificate>short</X509Certificate><y:X509Certificate>" + CERT + b"</y:X509Certificate></x>",
    b"<a b='X509Certificate>'><X509Certificate>" + CERT + b"</X509Certificate></a>",
    b"</ds:X509Certificate>" + CERT + b"<ds:X509Certificate>" + CERT,
    b"<bad prefix:X509Certificate>" + CERT + b"<ok:X509Certificate>" + CERT,
]


def _same(value: bytes) -> None:
    full, fast = packing._CERT.search(value), packing._certificate(value)
    assert (full is None) == (fast is None), value
    if full is not None:
        assert (fast.span(), fast.group(1)) == (full.span(), full.group(1)), value


@pytest.mark.parametrize("value", CASES)
def test_same_match_as_the_full_search(value):
    _same(value)


def test_same_match_on_random_fragments():
    rng = random.Random(20261201)
    parts = [b"<", b">", b":", b"ds", b"X509Certificate>", CERT, b" ", b"\n", b"x", b"-", b"</"]
    for _ in range(5000):
        _same(b"".join(rng.choice(parts) for _ in range(rng.randint(0, 14))))


def test_a_signed_document_is_found():
    from sample_paths import EC_SIGNER_SAMPLES

    signed = (EC_SIGNER_SAMPLES / "invoice" / "signed.xml").read_bytes()
    m = packing._certificate(signed)
    assert m is not None and len(m.group(1)) > 500
    _same(signed)
