"""KuDE QR (MT §13.8, NT-010 §3-4): parameter string + cHashQR = sha256(params + CSC).

Needs the signature's DigestValue, so it is computed after signing. The CSC is a secret:
it goes into the hash only, never into the URL.
"""
from __future__ import annotations

import hashlib

from app.fiscal.py.catalog import NS, DS, VERSION

BASE_PROD = "https://ekuatia.set.gov.py/consultas/qr?"
BASE_TEST = "https://ekuatia.set.gov.py/consultas-test/qr?"
# Public test CSCs (MT §13.8.3; RSHK sifen.properties.example). Never valid in production.
TEST_CSC = {"0001": "ABCD0000000000000000000000000000", "0002": "EFGH0000000000000000000000000000"}


def _hex(text: str) -> str:
    return text.encode("ascii").hex()


def qr_params(*, cdc: str, issued_at: str, total: str, total_iva: str, items: int,
              digest_value: str, csc_id: str, receiver_ruc: str = "", receiver_id: str = "",
              version: str = VERSION) -> str:
    """Steps 1 of MT §13.8.4: the parameter string, in the mandatory order.
    `issued_at` is dFeEmiDE as written; `receiver_ruc` (iNatRec=1) wins over `receiver_id`."""
    receiver = f"dRucRec={receiver_ruc}" if receiver_ruc else f"dNumIDRec={receiver_id or '0'}"
    return (f"nVersion={version}&Id={cdc}&dFeEmiDE={_hex(issued_at)}&{receiver}"
            f"&dTotGralOpe={total or '0'}&dTotIVA={total_iva or '0'}&cItems={items}"
            f"&DigestValue={_hex(digest_value)}&IdCSC={csc_id}")


def c_hash_qr(params: str, csc: str) -> str:
    return hashlib.sha256((params + csc).encode("ascii")).hexdigest()


def qr_url(params: str, csc: str, *, production: bool) -> str:
    return (BASE_PROD if production else BASE_TEST) + params + "&cHashQR=" + c_hash_qr(params, csc)


def params_from_rde(rde, csc_id: str) -> str:
    """Reads every QR field from a signed rDE element (ours or anybody's)."""
    n = "{%s}" % NS

    def text(path: str) -> str:
        el = rde.find(path)
        return el.text.strip() if el is not None and el.text else ""

    de = rde.find(n + "DE")
    rec = f"{n}DE/{n}gDatGralOpe/{n}gDatRec/"
    nat = text(rec + n + "iNatRec")
    return qr_params(
        cdc=de.get("Id"), issued_at=text(f"{n}DE/{n}gDatGralOpe/{n}dFeEmiDE"),
        receiver_ruc=text(rec + n + "dRucRec") if nat == "1" else "",
        receiver_id=text(rec + n + "dNumIDRec"),
        total=text(f"{n}DE/{n}gTotSub/{n}dTotGralOpe"), total_iva=text(f"{n}DE/{n}gTotSub/{n}dTotIVA"),
        items=len(rde.findall(f"{n}DE/{n}gDtipDE/{n}gCamItem")),
        digest_value=text(f"{{{DS}}}Signature/{{{DS}}}SignedInfo/{{{DS}}}Reference/{{{DS}}}DigestValue"),
        csc_id=csc_id)


def split_url(url: str) -> tuple[str, str, str]:
    """-> (base, params, cHashQR) of a QR URL."""
    base, _, query = url.partition("?")
    params, _, hash_ = query.rpartition("&cHashQR=")
    return base + "?", params, hash_
