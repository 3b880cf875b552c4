"""A local SMTP sink (aiosmtpd) on loopback, for demo mode and tests: keeps the messages it
receives; optionally STARTTLS or implicit TLS with a given certificate, AUTH with one user,
recipients it refuses (550) and recipients it defers (451)."""
from __future__ import annotations

import socket
import ssl
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    def message(self) -> EmailMessage:
        return message_from_bytes(self.data, policy=policy.default)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_test_certificate(folder) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1 / localhost: (cert PEM path, key PEM path)."""
    import datetime as dt
    import ipaddress
    from pathlib import Path

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    folder = Path(folder)
    cert_path, key_path = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_path), str(key_path)


@dataclass
class SmtpSink:
    port: int = 0
    security: str = "none"  # none | starttls | tls
    cert: tuple[str, str] | None = None  # (cert PEM, key PEM) for starttls / tls
    user: str | None = None
    password: str | None = None
    refuse: set[str] = field(default_factory=set)  # 550
    defer: set[str] = field(default_factory=set)  # 451
    received: list[Received] = field(default_factory=list)

    def __post_init__(self):
        self._controller = None
        self._lock = threading.Lock()
        if not self.port:
            self.port = free_port()

    # aiosmtpd handler hooks
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 Buzón inexistente"
        if address in self.defer:
            return "451 4.3.0 Intente más tarde"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content)))
        return "250 Message accepted for delivery"

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult, LoginPassword

        ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == self.user
              and auth_data.password.decode() == self.password)
        return AuthResult(success=ok, handled=False)

    def start(self) -> "SmtpSink":
        from aiosmtpd.controller import Controller

        kwargs: dict = {}
        ctx = None
        if self.security in ("starttls", "tls"):
            ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ctx.load_cert_chain(*self.cert)
        if self.security == "starttls":
            kwargs.update(tls_context=ctx, require_starttls=True)
        if self.user:
            kwargs.update(authenticator=self._authenticate, auth_require_tls=self.security != "none")
        else:
            kwargs.update(auth_require_tls=False)
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port,
                                      ssl_context=ctx if self.security == "tls" else None, **kwargs)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"
