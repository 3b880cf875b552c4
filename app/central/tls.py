"""TLS between registers and the central server: a self-signed certificate made at the first
`central serve`, whose SHA-256 fingerprint travels in the enrolment URL (`#sha256=…`) and is
pinned by `central join`. No certificate authority is involved, so nothing else is trusted."""
from __future__ import annotations

import hashlib
import http.client
import json
import os
import socket
import ssl
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

from app.core.errors import TransportError, ValidationError


def ensure_certificate(folder: Path, host: str) -> tuple[Path, Path]:
    """The server's certificate and key in `folder` (made once, key file 0600)."""
    cert, key = folder / "central-cert.pem", folder / "central-key.pem"
    if cert.exists() and key.exists():
        return cert, key
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    folder.mkdir(parents=True, exist_ok=True)
    pk = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Mostrador central")])
    now = datetime.now(timezone.utc)
    alt = [x509.DNSName("localhost")]
    try:
        alt.append(x509.IPAddress(ipaddress.ip_address(host)))
    except ValueError:
        alt.append(x509.DNSName(host))
    c = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(pk.public_key())
         .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
         .not_valid_after(now + timedelta(days=3650))
         .add_extension(x509.SubjectAlternativeName(alt), critical=False)
         .sign(pk, hashes.SHA256()))
    fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pk.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption()))
    cert.write_bytes(c.public_bytes(serialization.Encoding.PEM))
    return cert, key


def fingerprint(cert_pem: Path) -> str:
    der = ssl.PEM_cert_to_DER_cert(cert_pem.read_text())
    return hashlib.sha256(der).hexdigest()


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(str(cert), str(key))
    return ctx


def split_url(url: str) -> tuple[str, int, str]:
    """'https://host:port/#sha256=HEX' → (host, port, fingerprint)."""
    parts = urlsplit(url.strip())
    fp = parts.fragment.removeprefix("sha256=").lower()
    if parts.scheme != "https" or not parts.hostname or len(fp) != 64 or any(ch not in "0123456789abcdef" for ch in fp):
        raise ValidationError("La dirección de la central debe ser https://HOST:PUERTO/#sha256=HUELLA, "
                              "tal como la imprime `mostrador central enrol`", field="URL")
    return parts.hostname, parts.port or 443, fp


class PinnedClient:
    """JSON over HTTPS to one central server whose certificate has exactly the pinned fingerprint.

    No call can hang: `timeout` bounds every socket operation (the TCP connect, each step of
    the TLS handshake, each send and each receive), and `deadline` the whole call, however the
    server trickles its bytes: when it passes, the socket is shut down under the blocked
    operation, which fails at once (a TransportError, like any network failure)."""

    def __init__(self, url: str, token: str | None = None, *, timeout: float = 10.0, deadline: float = 120.0):
        self.host, self.port, self.fp = split_url(url)
        self.token = token
        self.timeout = timeout
        self.deadline = max(deadline, timeout)

    def call(self, method: str, path: str, body: dict | None = None) -> dict:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE  # trust is the pinned fingerprint, checked below
        conn = _Connection(self.host, self.port, timeout=self.timeout, context=ctx)
        watchdog = threading.Timer(self.deadline, conn.abort)
        watchdog.daemon = True
        watchdog.start()
        try:
            conn.connect()
            seen = hashlib.sha256(conn.sock.getpeercert(binary_form=True) or b"").hexdigest()
            if seen != self.fp:
                raise TransportError("El certificado de la central no es el que se unió a esta caja "
                                     "(huella distinta): no se envía nada")
            data = json.dumps(body or {}, ensure_ascii=False).encode()
            headers = {"Content-Type": "application/json", "Content-Length": str(len(data))}
            if self.token:
                headers["Authorization"] = f"Bearer {self.token}"
            conn.request(method, path, body=data, headers=headers)
            resp = conn.getresponse()
            raw = resp.read()
        except (OSError, http.client.HTTPException, ValueError) as exc:  # ValueError: I/O on an aborted socket
            why = "plazo vencido" if conn.aborted else type(exc).__name__
            raise TransportError(f"Sin conexión con la central {self.host}:{self.port}: {why}") from None
        finally:
            watchdog.cancel()
            conn.close()
        try:
            answer = json.loads(raw or b"{}")
        except ValueError:
            raise TransportError(f"Respuesta ilegible de la central (HTTP {resp.status})") from None
        if resp.status != 200:
            msg = answer.get("error", {}).get("message") if isinstance(answer, dict) else None
            raise TransportError(f"La central respondió HTTP {resp.status}: {msg or 'error'}")
        return answer


class _Connection(http.client.HTTPSConnection):
    """An HTTPS connection another thread can abort: `abort` shuts the TCP socket down (both
    ways) under whatever operation is blocked on it (the handshake included); that operation then
    fails at once. Shutting down is the kernel's: no TLS state is touched from the other thread."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._guard = threading.Lock()
        self._fd: int | None = None
        self.aborted = False

    def connect(self) -> None:
        raw = self._create_connection((self.host, self.port), self.timeout, self.source_address)
        with self._guard:
            self._fd = raw.fileno()
            if self.aborted:
                raw.close()
                self._fd = None
                raise TimeoutError("plazo vencido")
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = raw
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)

    def abort(self) -> None:
        with self._guard:
            self.aborted = True
            if self._fd is None:
                return
            s = socket.socket(fileno=self._fd)
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            finally:
                s.detach()  # the connection still owns (and closes) the descriptor

    def close(self) -> None:
        with self._guard:  # never shut down a descriptor the system may have handed out again
            self._fd = None
            super().close()
