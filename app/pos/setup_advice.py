"""What to do next, for the certificate and keyring errors the setup can meet.

The signing layer (app/fiscal/signing.py) says what is wrong with a .p12 or the keyring in one
exact sentence that its own tests and other callers rely on; the setup (wizard and
Configuración) adds the next step a shop with no IT staff needs. Each row is a fragment of the
signing layer's sentence and the step to add; tests/ui/test_wizard_errors.py drives every row
through the wizard, so a reworded sentence without its row fails there."""
from __future__ import annotations

import sys

from app.core.errors import CertificateError, ConfigurationError, MostradorError

_KEYRING_HOME = {"win32": "En Windows se usa el Administrador de credenciales de su usuario: inicie sesión "
                          "en Windows con su propia cuenta",
                 "darwin": "En macOS se usa el Llavero (Acceso a Llaveros) de su usuario: desbloquéelo",
                 }.get(sys.platform, "En Linux instale y desbloquee un llavero del sistema (GNOME Keyring o KWallet)")

NEXT_STEPS: tuple[tuple[str, str], ...] = (
    ("contraseña del certificado es incorrecta o el archivo está dañado",
     "Escriba de nuevo la contraseña; si es la correcta, descargue otra vez el archivo .p12 de la "
     "entidad certificadora."),
    ("contraseña del certificado es incorrecta",
     "Escríbala de nuevo, respetando mayúsculas y minúsculas; es la que le dio la entidad "
     "certificadora al emitir el archivo .p12."),
    ("no es un certificado PKCS#12",
     "Elija el archivo .p12 o .pfx que le entregó la entidad certificadora (no el .cer, .crt ni .pem)."),
    ("no contiene una clave privada RSA",
     "Pida a la entidad certificadora la firma en archivo (.p12 con su clave privada), no la de token."),
    ("no es de firma digital",
     "Elija el certificado de firma electrónica (no el de cifrado ni el de un servidor); si no lo "
     "tiene, pídalo a la entidad certificadora."),
    ("aún no es válido",
     "Revise que la fecha y la hora de este equipo sean correctas; si lo son, espere a esa fecha."),
    ("venció el",
     "Renueve la firma electrónica con la entidad certificadora e importe el archivo nuevo."),
    ("no indica ningún RUC",
     "Vuelva al paso Empresa (Alt+←) y revise el RUC, o elija el certificado emitido para esa empresa."),
    ("pertenece al RUC",
     "Vuelva al paso Empresa (Alt+←) y revise el RUC, o elija el certificado emitido para esa empresa."),
    ("almacén seguro de contraseñas",
     f"{_KEYRING_HOME} e intente de nuevo."),
    ("del llavero del sistema",
     "Desbloquee el llavero del sistema (o cierre la sesión del equipo y vuelva a entrar) e intente de nuevo."),
    ("en el llavero del sistema",
     "Desbloquee el llavero del sistema (o cierre la sesión del equipo y vuelva a entrar) e intente de nuevo."),
)


def next_step(message: str) -> str | None:
    """The step to add to `message`, or None when it already says what to do or is unknown."""
    for fragment, step in NEXT_STEPS:
        if fragment in message:
            return None if step in message else step
    return None


def with_next_step(exc: MostradorError) -> MostradorError:
    """`exc` itself, or a new error of the same kind whose message ends with the next step."""
    message = str(exc)
    step = next_step(message)
    if step is None or not isinstance(exc, (CertificateError, ConfigurationError)):
        return exc
    return type(exc)(f"{message.rstrip('.')}. {step}")
