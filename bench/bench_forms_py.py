"""Paraguay's "Nuevo documento" forms: milliseconds from what was typed to the committed, signed
DE (`form.build` + `checkout.issue`), offline (nothing is sent), for AFE, NDE and NRE.

    python bench/bench_forms_py.py [--n 50]
"""
from __future__ import annotations

import argparse
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from _common import memory_keyring, report


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=50)
    args = ap.parse_args()
    memory_keyring()
    from app.config import DataDir
    from app.fiscal import registry
    from app.fiscal.forms import check_values
    from app.fiscal.py import xml_build
    from app.pos import checkout
    from app.pos.demo import create_demo_company

    session = create_demo_company(DataDir(Path(tempfile.mkdtemp()) / "data"), "PY")
    company = session.company
    forms = registry.country("PY").forms()
    now = datetime.now(timezone.utc)
    invoice = checkout.issue(session, {
        "tipoDocumento": 1, "establecimiento": 1, "punto": "001", "tipoImpuesto": 1, "moneda": "PYG",
        "cliente": {"contribuyente": True, "ruc": "80013884-8", "razonSocial": "CLIENTE EJEMPLO S.A.",
                    "tipoOperacion": 1, "pais": "PRY", "tipoContribuyente": 2},
        "items": [{"codigo": "A", "descripcion": "Producto", "unidadMedida": 77, "cantidad": 1, "precioUnitario": 55000,
                   "ivaTipo": 1, "ivaBase": 100, "iva": 10}],
        "condicion": {"tipo": 2, "credito": {"tipo": 1, "plazo": "30 días"}}}, "invoices", now=now)
    tomorrow = (xml_build.local_naive(now).date() + timedelta(days=1)).isoformat()
    cases = {
        "py-afe": ({"vendedor_documento": "1234567", "vendedor_nombre": "Vendedor Rural", "vendedor_direccion": "Ruta 1",
                    "vendedor_ciudad": "1", "constancia_numero": "12345678901", "constancia_control": "ABCD1234"},
                   [{"codigo": "C-1", "descripcion": "Mandioca", "cantidad": "120", "precio": "2500"}]),
        "py-nde": ({"cdc": invoice.key, "receptor": "80013884-8", "nombre": "CLIENTE EJEMPLO S.A."},
                   [{"codigo": "INT", "descripcion": "Intereses", "cantidad": "1", "precio": "5000", "iva": "10"}]),
        "py-nre": ({"motivo": "7", "kms": "25", "fin": tomorrow, "entrega_direccion": "Sucursal", "entrega_ciudad": "1",
                    "vehiculo_tipo": "Camion", "vehiculo_marca": "Volvo", "vehiculo_matricula": "ABC123",
                    "chofer_documento": "1234567", "chofer_nombre": "Juan Chofer", "chofer_direccion": "Luque"},
                   [{"codigo": "A-1", "descripcion": "Cajas", "cantidad": "20"}]),
    }
    for form_id, (typed, rows) in cases.items():
        f = forms.by_id(form_id)
        samples = []
        for _ in range(args.n):
            start = time.perf_counter()
            header = {x.name: (x.default(company, now) if x.default else "") for x in f.fields} | typed
            table = [{c.name: r.get(c.name, c.default(company, now) if c.default else "") for c in f.tables[0].columns}
                     for r in rows]
            values, problems = check_values(f, header, {"items": table})
            assert not problems, problems
            body, kind = f.build(values, company, datetime.now(timezone.utc))
            checkout.issue(session, body, kind, source="bench")
            samples.append((time.perf_counter() - start) * 1000)
        report(f"{form_id} typed -> committed", samples)
    session.close()


if __name__ == "__main__":
    main()
