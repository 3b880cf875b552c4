"""First-run wizard for a Paraguayan (SIFEN) company with a generated .p12: RUC with check
digit, timbrado, actividad, CSC (secret only in the keyring, never in the database), the
establishment's SET address codes; the saved company then issues a sale whose QR hash is
made with the CSC from the keyring."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from PySide6.QtCore import Qt
from wizard_helper import ENTER, next_page, wizard  # noqa: F401  (the fixture)

from app.fiscal import signing
from app.fiscal.py import dsig, schema
from app.fiscal.py.certificate import PROFILE as PY_CERTIFICATE
from app.pos.session import Session, p12_account
from app.store import settings

RUC = "80069563-1"
CSC = "EFGH0000000000000000000000000000"


def test_py_wizard_end_to_end(qtbot, wizard, tmp_path):
    w, data, session = wizard
    f = w.form
    qtbot.keyClick(f.country.country, Qt.Key.Key_Down)  # Paraguay (SIFEN)
    assert f.country.country.currentData() == "PY"
    next_page(qtbot, w)
    assert w.index == 1
    assert f.company.timbrado.isVisibleTo(w) and not f.company.inputs_by_country["EC"]["obligado_contabilidad"].isVisibleTo(w)
    qtbot.keyClicks(f.company.ruc, "80069563-2")  # wrong check digit
    qtbot.keyClicks(f.company.razon_social, "FERRETERIA GUARANI S.A.")
    qtbot.keyClicks(f.company.nombre_comercial, "Ferreteria Guarani")
    qtbot.keyClicks(f.company.email, "facturas@guarani.com.py")
    qtbot.keyClicks(f.company.phone, "021555123")
    qtbot.keyClicks(f.company.timbrado, "12345678")
    qtbot.keyClicks(f.company.timbrado_start, "01/01/2025")
    qtbot.keyClicks(f.company.actividad_code, "47521")
    qtbot.keyClicks(f.company.actividad_desc, "VENTA AL POR MENOR DE ARTICULOS DE FERRETERIA")
    f.company.tipo_regimen.setCurrentIndex(f.company.tipo_regimen.findData(8))
    f.company.csc_id.selectAll()
    qtbot.keyClicks(f.company.csc_id, "0002")
    qtbot.keyClicks(f.company.csc_secret, "short")
    next_page(qtbot, w)
    assert w.index == 1 and "32 letras" in w.error.text()
    f.company.csc_secret.clear()
    qtbot.keyClicks(f.company.csc_secret, CSC)
    next_page(qtbot, w)
    assert w.index == 1 and "dígito verificador incorrecto (corresponde 1)" in w.error.text()
    f.company.ruc.clear()
    qtbot.keyClicks(f.company.ruc, RUC)
    next_page(qtbot, w)
    assert w.index == 2, w.error.text()

    est = f.establishments
    assert not est.table.isColumnHidden(7)
    next_page(qtbot, w)  # no address, no city yet
    assert w.index == 2 and "dirección" in w.error.text() and "ciudad" in w.error.text()
    for col, text in ((2, "AVDA. ESPAÑA 1234"), (3, "001, 002"), (4, "1234"), (5, "1"), (6, "1"), (7, "1")):
        est.table.item(0, col).setText(text)
    assert "ASUNCION" in est.places.text()
    next_page(qtbot, w)
    assert w.index == 3, w.error.text()

    p12 = tmp_path / "firma.p12"
    p12.write_bytes(signing.generate_test_p12(ruc=RUC, holder="FERRETERIA GUARANI S.A.", password="cl4ve!",
                                              profile=PY_CERTIFICATE))
    qtbot.keyClicks(f.certificate.path, str(p12))
    qtbot.keyClicks(f.certificate.password, "cl4ve!")
    qtbot.keyClick(f.certificate.password, ENTER)
    assert f.certificate.facts is not None, f.certificate.error.text()
    assert RUC in f.certificate.result.text()
    next_page(qtbot, w)
    assert w.index == 4
    assert "SIFEN" in f.environment.buttons["sandbox"].text()
    f.environment.buttons["pruebas"].setChecked(True)
    next_page(qtbot, w)
    qtbot.keyClicks(f.users.name, "Ana Benitez")
    qtbot.keyClicks(f.users.pin, "2580")
    qtbot.keyClick(f.users.pin, ENTER)
    next_page(qtbot, w)  # Finalizar
    assert w.result() == w.DialogCode.Accepted, w.error.text()

    company = settings.load_company(session.conn)
    assert (company.country, company.ruc, company.timbrado, company.timbrado_start) == (
        "PY", RUC, "12345678", date(2025, 1, 1))
    assert company.actividades == (("47521", "VENTA AL POR MENOR DE ARTICULOS DE FERRETERIA"),)
    assert company.tipo_contribuyente == 2 and company.tipo_regimen == 8 and company.csc_id == "0002"
    e = company.establishment("001")
    assert (e.departamento, e.distrito, e.ciudad, e.house_number) == (1, 1, 1, "1234")
    assert e.phone == "" and company.phone == "021555123"  # the company's phone serves the establishment
    # the CSC secret and the certificate password are in the keyring and nowhere in the database
    assert signing.load_secret(f"csc:{RUC}") == CSC
    assert signing.load_secret(p12_account(RUC)) == "cl4ve!"
    wal = data.root / "mostrador.db-wal"
    db = data.db_path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    assert b"cl4ve!" not in db and CSC.encode() not in db and b"EFGH" not in db
    assert b"12345678" in db  # (the scan does read the database: the timbrado is there)

    # the new company sells: its QR hash is made with the keyring's CSC
    from app.pos import catalog, shifts, till
    from app.pos.cart import Cart, settle

    s2 = Session(data)
    catalog.save_product(s2.conn, catalog.Product("TORN", "Tornillo 1/4", Decimal("1500"), "PY10"))
    shifts.open_shift(s2.conn, "001", "001", "Ana Benitez", Decimal(0))
    cart = Cart(country="PY")
    cart.add(catalog.find_product(s2.conn, "TORN"), Decimal(4))
    done = till.complete_sale(s2, cart, settle(Decimal(6000), [("efectivo", Decimal(10000))], country="PY"),
                              cashier="Ana Benitez", establishment="001", point="001")
    xml = bytes(done.result.document.xml)
    assert schema.validate(xml) == []
    assert all(x.ok for x in dsig.verify(xml, csc=CSC, csc_id="0002"))
    assert not all(x.ok for x in dsig.verify(xml, csc="ABCD0000000000000000000000000000", csc_id="0002"))
    s2.close()
