"""Issue #15 item 5: renewing the certificate is atomic. Keyring first, then one rename; the
old pair kept until the new one signs a test document; any failure on the way leaves the
till signing with the old certificate."""
from __future__ import annotations

import keyring
import pytest
from keyring.backends import fail
from keyring.errors import KeyringError
from memory_keyring import MemoryKeyring

from app.config import DataDir
from app.core.errors import CertificateError, ConfigurationError
from app.fiscal import registry, signing
from app.pos import certificates
from app.pos.certificates import install_certificate, p12_account
from app.pos.demo import create_demo_company
from app.pos.session import Session


class RefusingKeyring(MemoryKeyring):
    """A vault that reads but refuses writes (locked, full, denied)."""

    def set_password(self, service, username, password):
        raise KeyringError("el llavero rechazó la escritura")


class ForgetfulKeyring(MemoryKeyring):
    """A vault that accepts writes and silently keeps the old value."""

    def set_password(self, service, username, password):
        if (service, username) not in self.store:
            super().set_password(service, username, password)


@pytest.fixture
def shop(tmp_path):
    data = DataDir(tmp_path / "data")
    session = create_demo_company(data, "EC")
    company = session.company
    session.close()
    path = data.cert_path(company.ruc)
    old_bytes = path.read_bytes()
    old_password = signing.load_secret(p12_account(company.ruc))
    assert old_password
    new_password = "nueva-clave-2027"
    new_p12 = signing.generate_test_p12(ruc=company.ruc, holder=company.razon_social, password=new_password,
                                        profile=registry.country(company.country).certificate())
    return data, company, path, old_bytes, old_password, new_p12, new_password


def _serial(data, company) -> int:
    session = Session(data)
    try:
        return session.identity.serial
    finally:
        session.close()


def _unchanged(data, company, path, old_bytes, old_password):
    assert path.read_bytes() == old_bytes
    assert signing.load_secret(p12_account(company.ruc)) == old_password
    assert not path.with_name(path.name + ".new").exists()
    assert not path.with_name(path.name + ".old").exists()
    # the till still signs with the old certificate
    old_serial = signing.load_identity(old_bytes, old_password).serial
    assert _serial(data, company) == old_serial


def test_renewal_installs_the_new_pair(shop):
    data, company, path, old_bytes, old_password, new_p12, new_password = shop
    old_serial = _serial(data, company)
    install_certificate(path, new_p12, new_password, ruc=company.ruc, country=company.country)
    assert path.read_bytes() == new_p12
    assert signing.load_secret(p12_account(company.ruc)) == new_password
    assert not path.with_name(path.name + ".new").exists()
    assert not path.with_name(path.name + ".old").exists()
    new_serial = _serial(data, company)
    assert new_serial != old_serial and new_serial == signing.load_identity(new_p12, new_password).serial


def test_keyring_write_fails_nothing_changes(shop):
    data, company, path, old_bytes, old_password, new_p12, new_password = shop
    refusing = RefusingKeyring()
    refusing.store = dict(keyring.get_keyring().store)
    keyring.set_keyring(refusing)
    with pytest.raises(ConfigurationError, match="llavero"):
        install_certificate(path, new_p12, new_password, ruc=company.ruc, country=company.country)
    _unchanged(data, company, path, old_bytes, old_password)


def test_wrong_password_of_the_new_p12_nothing_changes(shop):
    data, company, path, old_bytes, old_password, new_p12, new_password = shop
    with pytest.raises(CertificateError):
        install_certificate(path, new_p12, "no-es-la-clave", ruc=company.ruc, country=company.country)
    _unchanged(data, company, path, old_bytes, old_password)


def test_rename_fails_old_pair_restored(shop, monkeypatch):
    data, company, path, old_bytes, old_password, new_p12, new_password = shop

    def failing_replace(src, dst):
        raise OSError(28, "No queda espacio en el dispositivo")

    monkeypatch.setattr(certificates.os, "replace", failing_replace)
    with pytest.raises(ConfigurationError, match="se sigue usando el anterior"):
        install_certificate(path, new_p12, new_password, ruc=company.ruc, country=company.country)
    monkeypatch.undo()
    _unchanged(data, company, path, old_bytes, old_password)


def test_new_pair_that_cannot_sign_is_rolled_back(shop):
    """The keyring 'accepts' the new password but keeps the old one: the installed file does
    not open with what the till will read, so the old file comes back."""
    data, company, path, old_bytes, old_password, new_p12, new_password = shop
    forgetful = ForgetfulKeyring()
    forgetful.store = dict(keyring.get_keyring().store)
    keyring.set_keyring(forgetful)
    with pytest.raises(CertificateError, match="documento de prueba"):
        install_certificate(path, new_p12, new_password, ruc=company.ruc, country=company.country)
    _unchanged(data, company, path, old_bytes, old_password)


def test_without_a_keyring_the_p12_is_not_copied(tmp_path, shop):
    data, company, path, old_bytes, old_password, new_p12, new_password = shop
    keyring.set_keyring(fail.Keyring())
    target = tmp_path / "otra" / "certificado.p12"
    with pytest.raises(ConfigurationError, match="llavero"):
        install_certificate(target, new_p12, new_password, ruc=company.ruc, country=company.country)
    assert not target.exists() and not target.with_name(target.name + ".new").exists()


def test_first_import_with_refusing_keyring_leaves_no_file(tmp_path, shop):
    data, company, path, old_bytes, old_password, new_p12, new_password = shop
    keyring.set_keyring(RefusingKeyring())
    target = tmp_path / "primera" / "certificado.p12"
    with pytest.raises(ConfigurationError):
        install_certificate(target, new_p12, new_password, ruc=company.ruc, country=company.country)
    assert not target.exists() and not target.with_name(target.name + ".new").exists()


def test_settings_save_with_refusing_keyring_keeps_the_old_certificate(shop):
    """The settings' save path (setup.save, as the wizard and Configuración call it)."""
    from app.pos import setup
    from app.store.db import connect

    data, company, path, old_bytes, old_password, new_p12, new_password = shop
    refusing = RefusingKeyring()
    refusing.store = dict(keyring.get_keyring().store)
    keyring.set_keyring(refusing)
    conn = connect(data.db_path)
    try:
        answers = setup.SetupAnswers(company=company, p12=new_p12, p12_password=new_password,
                                     new_users=[("Ana", "administrador", "482915")])
        with pytest.raises(ConfigurationError, match="llavero"):
            setup.save(data, conn, answers)
    finally:
        conn.close()
    _unchanged(data, company, path, old_bytes, old_password)
