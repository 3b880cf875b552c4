"""Where a company's signing certificate comes from: the keyring account of its password, and
the throwaway certificate a demo company always has (the Session asks for it on opening the
identity, so a fresh process on a demo folder — `mostrador sync` — finds it too)."""
from __future__ import annotations

import secrets

import keyring

from app.fiscal import registry


def p12_account(ruc: str) -> str:
    return f"p12:{ruc}"


def ensure_usable_keyring() -> bool:
    """True when the OS keyring works. On a machine without one (a fresh headless Linux),
    demo mode keeps the throwaway certificate's password in this process's memory only —
    never in a file — and regenerates the certificate on the next start."""
    from keyring.backends import fail

    backend = keyring.get_keyring()
    name = type(backend).__module__ + "." + type(backend).__name__
    if isinstance(backend, fail.Keyring) or name.startswith("keyrings.alt"):
        from app.fiscal.session_keyring import SessionKeyring

        keyring.set_keyring(SessionKeyring())
        return False
    return True


def ensure_demo_certificate(session) -> None:
    """A demo company always has a usable throwaway certificate: made anew when its password
    is not in the keyring (e.g. it lived in a previous process's memory). `session`: an open
    Session (its company and data folder)."""
    from app.fiscal import signing

    company = session.company
    if not company.extra.get("demo"):
        return  # never touch a real company's certificate
    ensure_usable_keyring()
    cert = session.data.cert_path(company.ruc)
    if not cert.exists() or signing.load_secret(p12_account(company.ruc)) is None:
        password = secrets.token_urlsafe(18)
        p12 = signing.generate_test_p12(ruc=company.ruc, holder=company.razon_social, password=password,
                                        profile=registry.country(company.country).certificate())
        cert.write_bytes(p12)
        signing.store_secret(p12_account(company.ruc), password)
    registry.country(company.country).demo().ensure_secrets(company)
