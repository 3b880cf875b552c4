"""Printing from settings: a `PrinterConfig` names a connection kind (one module each in
app.devices.connections: USB, network host:9100, serial, Windows spooler, file target) and
the functions here open it, check its status and send the job.

A printer problem never blocks or loses a sale: the document is already stored when we
print, and every failure here surfaces as one `PrinterError` with a Spanish sentence the
caller shows ("reimprimir" stays available).
"""
from __future__ import annotations

import socket
from dataclasses import dataclass, fields

from app.devices.connections import CONNECTIONS, PrinterError
from app.devices.escpos_lib import escpos, quiet

KINDS = tuple(CONNECTIONS)

__all__ = ["KINDS", "PrinterConfig", "PrinterError", "check_status", "open_drawer", "open_printer",
           "print_bytes", "print_ticket"]


@dataclass(frozen=True)
class PrinterConfig:
    kind: str = "file"  # one of KINDS (a connection in app.devices.connections)
    # usb
    usb_vendor: int = 0
    usb_product: int = 0
    # network
    host: str = ""
    port: int = 9100
    # serial
    serial_port: str = ""
    baudrate: int = 9600
    # windows spooler (RAW job to an installed printer)
    windows_name: str = ""
    # file target
    path: str = ""
    # paper and character set
    profile: str = "default"
    width_mm: int = 80
    codepage: str | None = None  # 'CP858' | 'CP850' | ...; None = best the profile has
    codepage_table: int | None = None  # ESC t number override for clones
    drawer_pin: int | None = 2  # 2 | 5 | None (no drawer)
    timeout: float = 5.0
    check_status: bool = True

    @classmethod
    def from_settings(cls, data: dict) -> "PrinterConfig":
        """Builds a config from a settings dict, ignoring unknown keys; ids may be hex text."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in (data or {}).items() if k in known}
        for key in ("usb_vendor", "usb_product"):
            if isinstance(values.get(key), str):
                values[key] = int(values[key], 16 if values[key].lower().startswith("0x") else 10)
        config = cls(**values)
        config.validate()
        return config

    def validate(self) -> None:
        if self.kind not in KINDS:
            raise PrinterError(f"Tipo de impresora desconocido: '{self.kind}'.")
        missing = CONNECTIONS[self.kind].missing(self)
        if missing:
            raise PrinterError(f"Falta configurar la conexión de la impresora ({self.describe()}).")
        if self.drawer_pin not in (None, 2, 5):
            raise PrinterError("El pin del cajón de dinero debe ser 2 o 5.")
        if self.width_mm not in (58, 80):
            raise PrinterError("El ancho de papel debe ser 58 u 80 mm.")

    def describe(self) -> str:
        connection = CONNECTIONS.get(self.kind)
        return connection.describe(self) if connection else self.kind


def open_printer(config: PrinterConfig):
    """An opened python-escpos printer for `config`. Raises PrinterError."""
    config.validate()
    m = escpos()
    p = None
    try:
        with quiet():
            p = CONNECTIONS[config.kind].open(config, m)
            p.open()
    except Exception as exc:  # python-escpos, pyusb, pyserial, pywin32, OSError...
        if p is not None:
            # python-escpos' __del__ would call close() on a half-open device and print a traceback.
            p.close = lambda *a, **k: None
        if isinstance(exc, PrinterError):
            raise
        raise _translate(config, exc) from None
    return p


def _translate(config: PrinterConfig, exc: Exception) -> PrinterError:
    detail = f"{type(exc).__name__}: {exc}"
    text = str(exc).lower()
    if isinstance(exc, (socket.timeout, TimeoutError)) or "timed out" in text:
        why = "la impresora no respondió a tiempo"
    elif isinstance(exc, (ImportError, RuntimeError)) and ("install" in text or "backend" in text or "module" in text):
        why = "falta en este equipo el componente para esa conexión (USB: pyusb/libusb, serie: pyserial)"
    elif "refused" in text:
        why = "la impresora rechazó la conexión (¿está encendida y en la red?)"
    elif isinstance(exc, PermissionError) or "permission" in text or "access denied" in text:
        why = "no hay permiso para usar la impresora"
    elif "not found" in text or "no such" in text or "could not open" in text or "unable" in text:
        why = "no se encontró la impresora (¿está conectada y encendida?)"
    else:
        why = "hubo un error de comunicación con la impresora"
    return PrinterError(
        f"No se pudo imprimir ({config.describe()}): {why}. "
        "El comprobante quedó guardado; puede reimprimirlo cuando la impresora esté lista.",
        detail,
    )


def check_status(config: PrinterConfig, printer) -> str:
    """Asks the printer whether it can print, where its connection allows it (network: DLE
    EOT; Windows: the spooler's flags). Returns 'ok' | 'unknown'; raises PrinterError when
    the printer reports itself offline, out of paper or with the cover open."""
    try:
        return CONNECTIONS[config.kind].status(config, printer)
    except PrinterError:
        raise
    except OSError as exc:
        raise _translate(config, exc) from None


def print_bytes(config: PrinterConfig, data: bytes) -> None:
    """Sends a rendered job. Raises PrinterError (Spanish), never anything else."""
    printer = open_printer(config)
    try:
        if config.check_status:
            check_status(config, printer)
        printer._raw(data)
        CONNECTIONS[config.kind].after_write(printer)
    except PrinterError:
        raise
    except Exception as exc:
        raise _translate(config, exc) from None
    finally:
        try:
            with quiet():
                printer.close()
        except Exception:
            pass


def print_ticket(config: PrinterConfig, ticket) -> None:
    """Renders a ticket with the printer's settings and prints it."""
    from app.devices.escpos_render import render_escpos

    data = render_escpos(
        ticket,
        width_mm=config.width_mm,
        profile=config.profile,
        drawer_pin=config.drawer_pin,
        codepage=config.codepage,
        codepage_table=config.codepage_table,
    )
    print_bytes(config, data)


def open_drawer(config: PrinterConfig) -> None:
    """Kicks the cash drawer alone (e.g. 'abrir cajón' with a supervisor PIN)."""
    if config.drawer_pin is None:
        raise PrinterError("No hay cajón de dinero configurado en esta impresora.")
    with quiet():
        d = escpos()["Dummy"](profile=config.profile)
    d.cashdraw(config.drawer_pin)
    print_bytes(config, d.output)
