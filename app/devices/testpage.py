"""The printer test page: connection facts, a character chart per code page (so the shop
picks the table whose ñ á é í ó ú ü ¿ ¡ look right), a QR and a cut."""
from __future__ import annotations

from app.devices import codepages
from app.devices.escpos_lib import escpos, quiet
from app.devices.escpos_render import media_for


def render_test_page(config) -> bytes:
    with quiet():
        p = escpos()["Dummy"](profile=config.profile)
    data = p.profile.profile_data
    media = media_for(data, config.width_mm)
    name, table = codepages.choose(data, config.codepage, config.codepage_table)
    p.hw("INIT")

    def line(text: str, page: str = name, tbl: int = table) -> None:
        p._raw(codepages.select_bytes(tbl) + codepages.encode(text, page) + b"\n")

    p.set(bold=True, double_height=True, normal_textsize=False)
    line("MOSTRADOR - PÁGINA DE PRUEBA")
    p.set(bold=False, double_height=False, normal_textsize=True)
    line(f"Conexión: {config.describe()}")
    line(f"Perfil: {config.profile}  Papel: {config.width_mm} mm  Columnas: {media.columns}")
    line(f"Página de códigos en uso: {name} (ESC t {table})")
    line("-" * media.columns)
    line("1234567890" * (media.columns // 10) + "1234567890"[: media.columns % 10])
    line("Caracteres por página de códigos:")
    for page, number in codepages.profile_pages(data).items():
        if page in codepages.CODECS:
            line(f"{page:<11} t={number:<3} {codepages.SPANISH_SAMPLE}", page, number)
    line("-" * media.columns)
    line("Si ninguna línea muestra bien las tildes y la eñe,", name, table)
    line("indique el número de tabla correcto en la configuración.", name, table)
    p._raw(codepages.select_bytes(table))
    with quiet():
        p.set(align="center")
        p.qr("MOSTRADOR PRUEBA", size=4, native=bool(data.get("features", {}).get("qrCode")))
        p.set(align="left")
    p.cut()
    return p.output


def print_test_page(config) -> None:
    from app.devices.printers import print_bytes

    print_bytes(config, render_test_page(config))
