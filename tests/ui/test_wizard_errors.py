"""Every error the first-run wizard and the certificate import can show says, in Spanish, what
went wrong and what to do next. Each case is typed through the wizard's own page with key
events (docs/setup.md has the table of them)."""
from __future__ import annotations

import keyring
import pytest
from ca_p12 import issue
from keyring.backends import fail
from keyring.errors import PasswordSetError
from memory_keyring import MemoryKeyring
from PySide6.QtCore import Qt
from wizard_helper import ENTER, next_page, wizard  # noqa: F401  (the fixture)

from app.pos import setup_advice

RUC = "1790011674001"
PASSWORD = "Cl4ve-de-la-AC"


def _to_company(qtbot, w, ruc=RUC):
    f = w.form
    next_page(qtbot, w)
    qtbot.keyClicks(f.company.ruc, ruc)
    qtbot.keyClicks(f.company.razon_social, "FERRETERIA EL CLAVO S.A.")
    qtbot.keyClicks(f.company.address, "Av. 10 de Agosto N20-15, Quito")


def _to_certificate(qtbot, w):
    _to_company(qtbot, w)
    next_page(qtbot, w)
    assert w.index == 2, w.error.text()
    w.form.establishments.table.item(0, 2).setText("Av. 10 de Agosto N20-15, Quito")
    next_page(qtbot, w)
    assert w.index == 3, w.error.text()


def _try_certificate(qtbot, w, path: str, password: str) -> str:
    page = w.form.certificate
    page.path.clear()
    page.password.clear()
    qtbot.keyClicks(page.path, path)
    qtbot.keyClicks(page.password, password)
    qtbot.keyClick(page.password, ENTER)
    assert page.facts is None
    shown = page.error.text()
    next_page(qtbot, w)  # and the wizard does not move on, showing the same text
    assert w.index == 3 and w.error.text() == shown
    return shown


CERTIFICATE_CASES = [
    # (file kind, password typed, what went wrong, the next step)
    ("wrong_password", "otra-clave", "contraseña del certificado es incorrecta",
     "Escríbala de nuevo, respetando mayúsculas y minúsculas; es la que le dio la entidad certificadora"),
    ("not_p12", PASSWORD, "no es un certificado PKCS#12", "Elija el archivo .p12 o .pfx que le entregó"),
    ("no_key", PASSWORD, "no contiene una clave privada RSA", "Pida a la entidad certificadora la firma en archivo"),
    ("encryption_only", PASSWORD, "no es de firma digital", "Elija el certificado de firma electrónica"),
    ("expired", PASSWORD, "venció el", "Renueve la firma electrónica con la entidad certificadora"),
    ("not_yet_valid", PASSWORD, "aún no es válido", "Revise que la fecha y la hora de este equipo sean correctas"),
    ("no_ruc", PASSWORD, "no indica ningún RUC", "Vuelva al paso Empresa (Alt+←) y revise el RUC"),
    ("other_ruc", PASSWORD, "pertenece al RUC 0992345678001", "Vuelva al paso Empresa (Alt+←) y revise el RUC"),
    ("missing_file", PASSWORD, "No se puede leer el archivo", "Revise la ruta escrita o use Examinar…"),
]


def _file(tmp_path, kind: str) -> str:
    path = tmp_path / f"{kind}.p12"
    if kind == "missing_file":
        return str(path)
    body = {"not_p12": lambda: b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
            "no_key": lambda: issue(RUC, PASSWORD, with_key=False),
            "encryption_only": lambda: issue(RUC, PASSWORD, signing=False),
            "expired": lambda: issue(RUC, PASSWORD, starts_in_days=-400, days_valid=365),
            "not_yet_valid": lambda: issue(RUC, PASSWORD, starts_in_days=3),
            "no_ruc": lambda: issue(None, PASSWORD),
            "other_ruc": lambda: issue("0992345678001", PASSWORD)}.get(kind, lambda: issue(RUC, PASSWORD))()
    path.write_bytes(body)
    return str(path)


def test_every_certificate_error_says_what_to_do_next(qtbot, wizard, tmp_path):
    w, _data, _session = wizard
    _to_certificate(qtbot, w)
    page = w.form.certificate
    next_page(qtbot, w)  # nothing chosen yet
    assert w.index == 3 and "escriba su ruta o use Examinar…" in w.error.text()
    for kind, password, wrong, step in CERTIFICATE_CASES:
        shown = _try_certificate(qtbot, w, _file(tmp_path, kind), password)
        assert wrong in shown and step in shown, (kind, shown)
    # and the right file with its password is accepted after all of them
    _try_ok = _file(tmp_path, "good")
    page.path.clear()
    page.password.clear()
    qtbot.keyClicks(page.path, _try_ok)
    qtbot.keyClicks(page.password, PASSWORD)
    qtbot.keyClick(page.password, ENTER)
    assert page.facts is not None and page.facts.ruc == RUC and not page.error.text()


def _finish_with_certificate(qtbot, w, tmp_path):
    f = w.form
    _to_certificate(qtbot, w)
    qtbot.keyClicks(f.certificate.path, _file(tmp_path, "good"))
    qtbot.keyClicks(f.certificate.password, PASSWORD)
    qtbot.keyClick(f.certificate.password, ENTER)
    assert f.certificate.facts is not None, f.certificate.error.text()
    next_page(qtbot, w)
    next_page(qtbot, w)
    qtbot.keyClicks(f.users.name, "Ana Torres")
    qtbot.keyClicks(f.users.pin, "2580")
    qtbot.keyClick(f.users.pin, ENTER)
    next_page(qtbot, w)  # Finalizar


def test_no_secure_keyring_says_where_passwords_go(qtbot, wizard, tmp_path):
    w, data, _session = wizard
    keyring.set_keyring(fail.Keyring())  # a fresh headless machine: no OS vault (restored by conftest)
    _finish_with_certificate(qtbot, w, tmp_path)
    shown = w.error.text()
    assert w.result() != w.DialogCode.Accepted
    assert "almacén seguro de contraseñas" in shown and "e intente de nuevo" in shown
    assert ("Administrador de credenciales" in shown) or ("GNOME Keyring o KWallet" in shown)
    assert not data.cert_path(RUC).exists()  # nothing copied


class _LockedKeyring(MemoryKeyring):
    """A real vault that refuses writes, as a locked GNOME Keyring or KWallet does."""

    def set_password(self, service, username, password):
        raise PasswordSetError("locked collection")


def test_a_locked_keyring_says_to_unlock_it(qtbot, wizard, tmp_path):
    w, data, _session = wizard
    keyring.set_keyring(_LockedKeyring())
    _finish_with_certificate(qtbot, w, tmp_path)
    shown = w.error.text()
    assert w.result() != w.DialogCode.Accepted
    assert "No se pudo guardar" in shown and "Desbloquee el llavero del sistema" in shown
    assert "locked collection" not in shown and PASSWORD not in shown
    assert not data.cert_path(RUC).exists()


def test_company_and_establishment_errors_say_what_to_do(qtbot, wizard):
    w, _data, _session = wizard
    f = w.form
    _to_company(qtbot, w, ruc="17900116")
    next_page(qtbot, w)
    assert w.index == 1 and "13 dígitos: escríbalo sin guiones ni espacios" in w.error.text()
    f.company.ruc.clear()
    qtbot.keyClicks(f.company.ruc, "1790011674000")
    next_page(qtbot, w)
    assert w.index == 1 and "revise el RUC, dígito por dígito" in w.error.text()
    f.company.ruc.clear()
    qtbot.keyClicks(f.company.ruc, RUC)
    f.company.razon_social.clear()
    next_page(qtbot, w)
    assert w.index == 1 and "La razón social es obligatoria: escríbala como figura en el RUC" in w.error.text()
    qtbot.keyClicks(f.company.razon_social, "FERRETERIA EL CLAVO S.A.")
    qtbot.keyClicks(f.company.agente_retencion, "0001")
    next_page(qtbot, w)
    assert w.index == 1 and "sin ceros a la izquierda (ej. 1): corríjalo" in w.error.text()
    f.company.agente_retencion.clear()
    next_page(qtbot, w)
    assert w.index == 2, w.error.text()
    table = f.establishments.table
    table.item(0, 2).setText("Av. 10 de Agosto N20-15, Quito")
    f.establishments.add_row(code="001", address="Local 2")
    table.item(0, 3).setText("001, 001")
    next_page(qtbot, w)
    shown = w.error.text()
    assert w.index == 2 and "establishments[" not in shown
    assert "Fila 2: Establecimiento 001 repetido: cambie el código de una de las filas" in shown
    assert "Fila 1: Punto de emisión repetido: escriba cada código una sola vez" in shown


def test_till_environment_and_user_errors_say_what_to_do(qtbot, wizard, tmp_path):
    w, _data, _session = wizard
    f = w.form
    _to_certificate(qtbot, w)
    f.establishments.till_point.clear()
    qtbot.keyClicks(f.establishments.till_point, "009")
    qtbot.keyClicks(f.certificate.path, _file(tmp_path, "good"))
    qtbot.keyClicks(f.certificate.password, PASSWORD)
    qtbot.keyClick(f.certificate.password, ENTER)
    next_page(qtbot, w)
    assert w.index == 4
    f.environment.buttons["produccion"].setFocus()
    qtbot.keyClick(f.environment.buttons["produccion"], Qt.Key.Key_Space)
    assert f.environment.environment() == "produccion"
    next_page(qtbot, w)
    assert w.index == 4 and "Marque la confirmación" in w.error.text()
    qtbot.keyClick(f.environment.buttons["produccion"], Qt.Key.Key_Up)  # back to pruebas
    assert f.environment.environment() != "produccion"
    next_page(qtbot, w)
    assert w.index == 5
    next_page(qtbot, w)
    assert "Cree al menos un usuario administrador: escriba su nombre y PIN y pulse Enter" in w.error.text()
    qtbot.keyClicks(f.users.name, "Ana Torres")
    qtbot.keyClicks(f.users.pin, "12")
    qtbot.keyClick(f.users.pin, ENTER)
    assert "escriba otro PIN (solo números, de 4 a 8) y pulse Enter" in f.users.error.text()
    f.users.name.clear()
    f.users.pin.clear()
    qtbot.keyClicks(f.users.pin, "2580")
    qtbot.keyClick(f.users.pin, ENTER)
    assert "Falta el nombre del usuario: escríbalo" in f.users.error.text()
    qtbot.keyClicks(f.users.name, "Ana Torres")
    qtbot.keyClick(f.users.pin, ENTER)
    assert f.users.pending and not f.users.error.text()
    qtbot.keyClicks(f.users.name, "Ana Torres")
    qtbot.keyClicks(f.users.pin, "1357")
    qtbot.keyClick(f.users.pin, ENTER)
    assert "Ya agregó un usuario con ese nombre: escriba otro nombre" in f.users.error.text()
    next_page(qtbot, w)  # Finalizar: the till's point is not one of the establishment's
    assert w.result() != w.DialogCode.Accepted
    assert "escriba en el paso Establecimientos uno de los que registró" in w.error.text()


def test_the_damaged_file_row_has_a_next_step():
    """The one row no generated file reaches through the wizard (a PKCS#12 whose algorithms only
    OpenSSL reads, with a wrong password): its step is still added."""
    from app.core.errors import CertificateError

    err = setup_advice.with_next_step(CertificateError(
        "La contraseña del certificado es incorrecta o el archivo está dañado"))
    assert str(err).endswith("descargue otra vez el archivo .p12 de la entidad certificadora.")
    assert setup_advice.with_next_step(CertificateError("otra cosa")).args == ("otra cosa",)


def test_paraguay_certificate_as_a_ca_issues_it(qtbot, wizard, tmp_path):
    """The same page in Paraguay: a CA's file for another RUC ('RUC…' in serialNumber) is refused
    with the next step; the shop's own is accepted."""
    w, _data, _session = wizard
    f = w.form
    qtbot.keyClick(f.country.country, Qt.Key.Key_Down)  # Paraguay (SIFEN)
    assert f.country.country.currentData() == "PY"
    next_page(qtbot, w)
    for field, text in (("ruc", "80069563-1"), ("razon_social", "FERRETERIA GUARANI S.A."),
                        ("email", "facturas@guarani.com.py"), ("phone", "021555123"), ("timbrado", "12345678"),
                        ("timbrado_start", "01/01/2025"), ("actividad_code", "47521"),
                        ("actividad_desc", "VENTA AL POR MENOR DE ARTICULOS DE FERRETERIA")):
        qtbot.keyClicks(getattr(f.company, field), text)
    next_page(qtbot, w)
    assert w.index == 2, w.error.text()
    for col, text in ((2, "AVDA. ESPAÑA 1234"), (4, "1234"), (5, "1"), (6, "1"), (7, "1")):
        f.establishments.table.item(0, col).setText(text)
    next_page(qtbot, w)
    assert w.index == 3, w.error.text()
    other = tmp_path / "otra.p12"
    other.write_bytes(issue("80012345-6", PASSWORD, country="PY", holder="OTRA S.A."))
    shown = _try_certificate(qtbot, w, str(other), PASSWORD)
    assert "pertenece al RUC 80012345-6" in shown and "Vuelva al paso Empresa (Alt+←)" in shown
    own = tmp_path / "firma.p12"
    own.write_bytes(issue("80069563-1", PASSWORD, country="PY", holder="FERRETERIA GUARANI S.A."))
    page = f.certificate
    page.path.clear()
    page.password.clear()
    qtbot.keyClicks(page.path, str(own))
    qtbot.keyClicks(page.password, PASSWORD)
    qtbot.keyClick(page.password, ENTER)
    assert page.facts is not None and page.facts.ruc == "80069563-1", page.error.text()
    assert page.facts.key_usage == "firma digital, no repudio"
    next_page(qtbot, w)
    assert w.index == 4


def test_a_data_folder_that_cannot_be_written_says_what_to_do(qtbot, wizard, tmp_path):
    w, data, _session = wizard
    if data.certs.is_dir():
        data.certs.rmdir()
    data.certs.write_bytes(b"")  # a file where the certificates' folder goes
    _finish_with_certificate(qtbot, w, tmp_path)
    shown = w.error.text()
    assert w.result() != w.DialogCode.Accepted
    assert "No se pudo guardar la configuración" in shown and "pulse Finalizar otra vez" in shown
    data.certs.unlink()  # the shop frees the way and presses Finalizar again
    next_page(qtbot, w)
    assert w.result() == w.DialogCode.Accepted, w.error.text()
    assert data.cert_path(RUC).exists()
