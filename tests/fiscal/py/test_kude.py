"""A4 KuDE from the SET v150 samples, checked with poppler and zbarimg."""
from __future__ import annotations

import re
import subprocess
from html import unescape
from pathlib import Path

import pytest

from app.fiscal.py.kude import render_kude
from sample_paths import PY_SET_SAMPLES  # noqa: E402

PY = PY_SET_SAMPLES
TITLES = {"FE": "Factura Electrónica", "AFE": "Autofactura Electrónica", "NC": "Nota de Crédito Electrónica", "ND": "Nota de Débito Electrónica", "NRE": "Nota de Remisión Electrónica"}


def sample(name: str) -> bytes:
    return (PY / f"{name}_v150_20190910.xml").read_bytes()


def run(tmp: Path, pdf: bytes, *cmd: str) -> str:
    src = tmp / "k.pdf"
    src.write_bytes(pdf)
    return subprocess.run([*cmd, str(src), *(["-"] if cmd[0] == "pdftotext" else [])], capture_output=True, text=True, check=True).stdout


def qr_of(tmp: Path, pdf: bytes) -> list[str]:
    src = tmp / "q.pdf"
    src.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "300", "-f", "1", "-l", "1", "-png", str(src), str(tmp / "q")], check=True)
    r = subprocess.run(["zbarimg", "-q", str(next(tmp.glob("q-*.png")))], capture_output=True, text=True)
    return [ln for ln in r.stdout.splitlines() if ln]


@pytest.mark.parametrize("name", sorted(TITLES))
def test_kude_mandatory_content(name, tmp_path):
    xml = sample(name)
    pdf = render_kude(xml, {})
    text = " ".join(run(tmp_path, pdf, "pdftotext", "-raw").split())
    cdc = re.search(rb'<DE Id="(\d{44})"', xml).group(1).decode()
    groups = [cdc[i : i + 4] for i in range(0, 44, 4)]
    for expected in [
        f"KuDE de {TITLES[name]}",
        "Timbrado N°",
        "Fecha de inicio de vigencia:",
        "RUC:",
        "Fecha y hora de emisión:",
        "Nombre o razón social:",
        "ESTE DOCUMENTO ES UNA REPRESENTACIÓN GRÁFICA DE UN DOCUMENTO ELECTRÓNICO (XML)",
        "Consulte la validez de esta",
        "https://ekuatia.set.gov.py/consultas",
        " ".join(groups[:6]),
        " ".join(groups[6:]),
        "página 1 de 1",
    ]:
        assert expected in text, (name, expected)
    if name != "NRE":
        assert "TOTAL DE LA OPERACIÓN (Gs.)" in text and "TOTAL IVA" in text and "LIQUIDACIÓN IVA" in text
    url = unescape(re.search(rb"<dCarQR>(.*?)</dCarQR>", xml).group(1).decode())
    assert qr_of(tmp_path, pdf) == ([f"QR-Code:{url}"] if url else [])


def test_fonts_embedded_and_watermark_only_in_test(tmp_path):
    fe = sample("FE")
    pdf = render_kude(fe, {"copy": True})
    fonts = run(tmp_path, pdf, "pdffonts").splitlines()[2:]
    assert fonts and all(" yes yes " in f for f in fonts)
    squeezed = "".join(run(tmp_path, pdf, "pdftotext", "-raw").split())
    assert "PRUEBAS-SINVALIDEZFISCAL" in squeezed and "COPIA—REIMPRESIÓN" in squeezed
    prod = fe.replace(b"consultas-test/qr", b"consultas/qr")
    squeezed = "".join(run(tmp_path, render_kude(prod, {}), "pdftotext", "-raw").split())
    assert "PRUEBAS" not in squeezed and "SANDBOX" not in squeezed and "COPIA" not in squeezed
    assert "SANDBOX-SINVALIDEZ" in "".join(run(tmp_path, render_kude(prod, {"environment": "sandbox"}), "pdftotext", "-raw").split())


def test_many_items_number_pages_and_keep_qr(tmp_path):
    fe = sample("FE").decode()
    start, end = fe.index("<gCamItem>"), fe.rindex("</gCamItem>") + len("</gCamItem>")
    long_xml = (fe[:start] + fe[start:end] * 40 + fe[end:]).encode()
    pdf = render_kude(long_xml, {})
    text = " ".join(run(tmp_path, pdf, "pdftotext", "-raw").split())
    assert "página 1 de 3" in text or "página 1 de 2" in text
    pages = int(re.search(r"página 1 de (\d)", text).group(1))
    assert f"página {pages} de {pages}" in text
    url = unescape(re.search(r"<dCarQR>(.*?)</dCarQR>", fe).group(1))
    assert qr_of(tmp_path, pdf) == [f"QR-Code:{url}"]  # QR on the first page (MT §13.3)
