"""First-run wizard end to end with a generated .p12: a certificate of another RUC is refused
with the reason, production needs an explicit confirmation, users get scrypt-hashed PINs,
the password lands in the keyring and nowhere on disk."""
from __future__ import annotations

from wizard_helper import ENTER, next_page, wizard  # noqa: F401  (the fixture)

from app.config import DataDir
from app.fiscal import signing
from app.fiscal.ec.certificate import PROFILE as EC_CERTIFICATE
from app.pos import setup, users
from app.pos.session import Session, p12_account
from app.store import settings

RUC = "1790011674001"


def test_wizard_end_to_end(qtbot, wizard, tmp_path):
    w, data, session = wizard
    f = w.form
    assert w.index == 0
    next_page(qtbot, w)
    assert w.index == 1
    next_page(qtbot, w)  # nothing typed yet: the company page refuses to move on
    assert w.index == 1 and "RUC" in w.error.text()
    qtbot.keyClicks(f.company.ruc, RUC)
    qtbot.keyClicks(f.company.razon_social, "FERRETERÍA EL CLAVO S.A.")
    qtbot.keyClicks(f.company.nombre_comercial, "El Clavo")
    qtbot.keyClicks(f.company.address, "Av. 10 de Agosto N20-15, Quito")
    f.company.obligado_contabilidad.setChecked(True)
    next_page(qtbot, w)
    assert w.index == 2, w.error.text()
    next_page(qtbot, w)  # the establishment still has no address
    assert w.index == 2 and "dirección" in w.error.text()
    f.establishments.table.item(0, 2).setText("Av. 10 de Agosto N20-15, Quito")
    f.establishments.table.item(0, 3).setText("001, 002")
    f.establishments.till_point.clear()
    qtbot.keyClicks(f.establishments.till_point, "002")
    next_page(qtbot, w)
    assert w.index == 3

    other = tmp_path / "otro.p12"
    other.write_bytes(signing.generate_test_p12(ruc="0992345678001", holder="OTRA EMPRESA", password="clave-otra",
                                                profile=EC_CERTIFICATE))
    qtbot.keyClicks(f.certificate.path, str(other))
    qtbot.keyClicks(f.certificate.password, "clave-otra")
    qtbot.keyClick(f.certificate.password, ENTER)
    assert "pertenece al RUC 0992345678001" in f.certificate.error.text()
    next_page(qtbot, w)
    assert w.index == 3  # refused

    good = tmp_path / "firma.p12"
    good.write_bytes(signing.generate_test_p12(ruc=RUC, holder="FERRETERIA EL CLAVO S.A.", password="s3creta!",
                                               profile=EC_CERTIFICATE))
    f.certificate.path.clear()
    qtbot.keyClicks(f.certificate.path, str(good))
    f.certificate.password.clear()
    qtbot.keyClicks(f.certificate.password, "bad")
    qtbot.keyClick(f.certificate.password, ENTER)
    assert f.certificate.facts is None and f.certificate.error.text()
    f.certificate.password.clear()
    qtbot.keyClicks(f.certificate.password, "s3creta!")
    qtbot.keyClick(f.certificate.password, ENTER)
    facts = f.certificate.facts
    assert facts is not None and facts.ruc == RUC and facts.days_left >= 360
    assert "FERRETERIA EL CLAVO" in f.certificate.result.text() and "firma digital" in f.certificate.result.text()
    next_page(qtbot, w)
    assert w.index == 4

    f.environment.buttons["produccion"].setChecked(True)
    assert f.environment.confirm.isVisible()
    next_page(qtbot, w)
    assert w.index == 4 and "producción" in w.error.text()
    f.environment.buttons["pruebas"].setChecked(True)
    next_page(qtbot, w)
    assert w.index == 5

    next_page(qtbot, w)  # no administrator yet
    assert w.index == 5 and "administrador" in w.error.text()
    qtbot.keyClicks(f.users.name, "Ana Torres")
    qtbot.keyClicks(f.users.pin, "1111")
    qtbot.keyClick(f.users.pin, ENTER)
    assert "repetir" in f.users.error.text() and not f.users.pending
    f.users.pin.clear()
    qtbot.keyClicks(f.users.pin, "2580")
    qtbot.keyClick(f.users.pin, ENTER)
    qtbot.keyClicks(f.users.name, "Luis Cajas")
    qtbot.keyClicks(f.users.pin, "1357")
    qtbot.keyClick(f.users.pin, ENTER)
    assert [(n, r) for n, r, _p in f.users.pending] == [("Ana Torres", "administrador"), ("Luis Cajas", "cajero")]
    next_page(qtbot, w)  # Finalizar
    assert w.result() == w.DialogCode.Accepted, w.error.text()

    company = settings.load_company(session.conn)
    assert company.ruc == RUC and company.environment == "pruebas" and company.obligado_contabilidad
    assert [p.code for p in company.establishment("001").points] == ["001", "002"]
    assert setup.till(session.conn, company) == ("001", "002")
    assert data.cert_path(RUC).read_bytes() == good.read_bytes()
    assert signing.load_secret(p12_account(RUC)) == "s3creta!"
    db = data.db_path.read_bytes() + (data.root / "mostrador.db-wal").read_bytes()
    assert b"s3creta!" not in db and b"2580" not in db
    hashes = [r[0] for r in session.conn.execute("SELECT pin_hash FROM users")]
    assert all(h.startswith("scrypt$") for h in hashes)
    assert users.authenticate(session.conn, "2580").role == "administrador"
    # the saved company can sign: the session loads the identity from file + keyring
    s2 = Session(data)
    assert s2.identity.ruc == RUC
    s2.close()


def test_the_pages_render_any_countrys_setup_fields(qtbot, tmp_path):
    """A third country (only in tests/) brings its own company fields, environments, point name,
    establishment columns and secrets; the pages need no change."""
    from app.fiscal import registry
    from app.ui.main import make_app
    from app.ui.setup_pages import SetupForm

    make_app()
    registry.register("ZZ", "toy_country")
    session = Session(DataDir(tmp_path / "data"))
    try:
        f = SetupForm(session.conn)
        for p in f.pages:
            qtbot.addWidget(p)
        f.country.country.setCurrentIndex(f.country.country.findData("ZZ"))
        assert f.company.ruc.placeholderText() == "9 dígitos" and f.company.form.labelForField(f.company.ruc).text() == "NIT"
        assert not f.company.inputs_by_country["EC"]["ruc"].isVisibleTo(f.company)
        assert [k for k, b in f.environment.buttons.items() if b.isVisibleTo(f.environment)] == ["sandbox", "produccion"]
        assert "DGT" in f.environment.confirm.text() and "caja" in f.establishments.till_point_label.text()
        assert f.establishments.table.columnCount() == 5 and f.establishments.cell(0, 4) == "-"
        f.company.ruc.setText("12345")
        f.company.token.setText("abc")
        assert f.page_errors(f.company) == ["El token son 6 caracteres"]
        f.company.token.setText("abcdef")
        assert f.page_errors(f.company) == ["El NIT son 9 dígitos"]
        f.company.ruc.setText("123456789")
        f.company.rimpe.setCurrentIndex(1)
        assert f.page_errors(f.company) == []
        f.establishments.table.item(0, 4).setText("555")
        assert "tel. 555" in f.establishments.places.text()
        answers = f.answers()
        c = answers.company
        assert (c.country, c.ruc, c.rimpe, c.establishments[0].phone) == ("ZZ", "123456789", "S", "555")
        assert answers.secrets == {"token": "abcdef"}
    finally:
        session.close()
        registry.unregister("ZZ")
