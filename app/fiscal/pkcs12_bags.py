"""Bag-level PKCS#12 reader and writer (RFC 7292), pure Python on `cryptography` primitives.

Why: `cryptography.pkcs12.load_pkcs12` (OpenSSL `PKCS12_parse`) returns only the FIRST key.
Some CAs issue files with a 'Decryption Key' before the 'Signing Key', and renewed files
carry old and new keys, so we must see every bag. The writer exists to build such two-key
test files (and legacy RC2/3DES ones) without shelling out to openssl.

Supported: MAC with HMAC over the PKCS#12 KDF (SHA-1/224/256/384/512); shrouded key bags and
encrypted SafeContents with PBES2 (PBKDF2 + AES-CBC / DES-EDE3-CBC) and PKCS#12 PBE
(SHA-1 with 3-key / 2-key 3DES, 40/128-bit RC2); BER indefinite lengths and chunked OCTET
STRINGs as produced by some Windows and Java exporters. Anything else raises
`UnsupportedPkcs12` so the caller can fall back to OpenSSL's one-key parser.
"""
from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, modes
from cryptography.hazmat.primitives.ciphers.algorithms import AES

try:  # cryptography >= 43 keeps 3DES under `decrepit`
    from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
except ImportError:  # pragma: no cover - older cryptography
    from cryptography.hazmat.primitives.ciphers.algorithms import TripleDES


class Pkcs12Error(Exception):
    """Base for the reader's errors (internal; `signing` turns them into CertificateError)."""


class NotPkcs12(Pkcs12Error):
    pass


class BadPassword(Pkcs12Error):
    pass


class UnsupportedPkcs12(Pkcs12Error):
    pass


# --------------------------------------------------------------------------- DER / BER reading

SEQUENCE, SET, OCTET_STRING, OID, INTEGER, BMPSTRING = 0x30, 0x31, 0x04, 0x06, 0x02, 0x1E


@dataclass
class Tlv:
    tag: int  # the identifier octet (low-tag-number form only: all PKCS#12 needs)
    content: bytes
    raw: bytes  # the whole encoding, header included

    @property
    def constructed(self) -> bool:
        return bool(self.tag & 0x20)

    def children(self) -> list["Tlv"]:
        return parse_all(self.content)

    def octets(self) -> bytes:
        """OCTET STRING value, concatenating BER constructed chunks."""
        if not self.constructed:
            return self.content
        return b"".join(c.octets() for c in self.children())

    def integer(self) -> int:
        return int.from_bytes(self.content, "big", signed=True)

    def oid(self) -> str:
        return decode_oid(self.content)


def read_tlv(buf: bytes, pos: int = 0) -> tuple[Tlv, int]:
    """Reads one TLV at `pos`; returns it and the position after it."""
    try:
        start = pos
        tag = buf[pos]
        if tag & 0x1F == 0x1F:
            raise NotPkcs12("high tag numbers are not used by PKCS#12")
        pos += 1
        first = buf[pos]
        pos += 1
        if first == 0x80:  # BER indefinite length: children until end-of-contents
            if not tag & 0x20:
                raise NotPkcs12("indefinite length on a primitive")
            body = pos
            while buf[pos] != 0 or buf[pos + 1] != 0:
                _, pos = read_tlv(buf, pos)
            return Tlv(tag, bytes(buf[body:pos]), bytes(buf[start:pos + 2])), pos + 2
        if first & 0x80:
            n = first & 0x7F
            if n == 0 or n > 4:
                raise NotPkcs12("bad length")
            length = int.from_bytes(buf[pos:pos + n], "big")
            pos += n
        else:
            length = first
        end = pos + length
        if end > len(buf):
            raise NotPkcs12("truncated")
        return Tlv(tag, bytes(buf[pos:end]), bytes(buf[start:end])), end
    except IndexError as exc:
        raise NotPkcs12("truncated") from exc


def parse_all(buf: bytes) -> list[Tlv]:
    out, pos = [], 0
    while pos < len(buf):
        tlv, pos = read_tlv(buf, pos)
        out.append(tlv)
    return out


def parse_one(buf: bytes) -> Tlv:
    tlv, end = read_tlv(buf, 0)
    if end != len(buf):
        raise NotPkcs12("trailing data")
    return tlv


def decode_oid(content: bytes) -> str:
    parts, value = [], 0
    for b in content:
        value = (value << 7) | (b & 0x7F)
        if not b & 0x80:
            parts.append(value)
            value = 0
    if not parts:
        raise NotPkcs12("empty OID")
    first = parts[0]
    head = [min(first // 40, 2), first - 40 * min(first // 40, 2)]
    return ".".join(str(p) for p in head + parts[1:])


# --------------------------------------------------------------------------- DER writing

def tlv(tag: int, content: bytes) -> bytes:
    n = len(content)
    if n < 0x80:
        head = bytes([n])
    else:
        size = n.to_bytes((n.bit_length() + 7) // 8, "big")
        head = bytes([0x80 | len(size)]) + size
    return bytes([tag]) + head + content


def seq(*items: bytes) -> bytes:
    return tlv(SEQUENCE, b"".join(items))


def der_int(value: int) -> bytes:
    return tlv(INTEGER, value.to_bytes(value.bit_length() // 8 + 1, "big", signed=True))


def der_oid(dotted: str) -> bytes:
    nums = [int(x) for x in dotted.split(".")]
    body = bytearray()
    for v in [nums[0] * 40 + nums[1]] + nums[2:]:
        chunk = [v & 0x7F]
        v >>= 7
        while v:
            chunk.append(0x80 | (v & 0x7F))
            v >>= 7
        body.extend(reversed(chunk))
    return tlv(OID, bytes(body))


def explicit0(content: bytes) -> bytes:
    return tlv(0xA0, content)


# --------------------------------------------------------------------------- OIDs

OID_DATA = "1.2.840.113549.1.7.1"
OID_ENCRYPTED_DATA = "1.2.840.113549.1.7.6"
OID_KEY_BAG = "1.2.840.113549.1.12.10.1.1"
OID_SHROUDED_KEY_BAG = "1.2.840.113549.1.12.10.1.2"
OID_CERT_BAG = "1.2.840.113549.1.12.10.1.3"
OID_SAFE_CONTENTS_BAG = "1.2.840.113549.1.12.10.1.6"
OID_X509_CERT = "1.2.840.113549.1.9.22.1"
OID_FRIENDLY_NAME = "1.2.840.113549.1.9.20"
OID_LOCAL_KEY_ID = "1.2.840.113549.1.9.21"
OID_PBES2 = "1.2.840.113549.1.5.13"
OID_PBKDF2 = "1.2.840.113549.1.5.12"
# PKCS#12 PBE: oid -> (cipher, key length)
PKCS12_PBE = {
    "1.2.840.113549.1.12.1.3": ("3des", 24),
    "1.2.840.113549.1.12.1.4": ("3des", 16),
    "1.2.840.113549.1.12.1.5": ("rc2", 16),
    "1.2.840.113549.1.12.1.6": ("rc2", 5),
}
OID_PBE_SHA1_3DES = "1.2.840.113549.1.12.1.3"
OID_PBE_SHA1_RC2_40 = "1.2.840.113549.1.12.1.6"
HASHES = {  # digest / HMAC-PRF OIDs -> hashlib name
    "1.3.14.3.2.26": "sha1", "2.16.840.1.101.3.4.2.4": "sha224", "2.16.840.1.101.3.4.2.1": "sha256",
    "2.16.840.1.101.3.4.2.2": "sha384", "2.16.840.1.101.3.4.2.3": "sha512",
    "1.2.840.113549.2.7": "sha1", "1.2.840.113549.2.8": "sha224", "1.2.840.113549.2.9": "sha256",
    "1.2.840.113549.2.10": "sha384", "1.2.840.113549.2.11": "sha512",
}
OID_SHA256 = "2.16.840.1.101.3.4.2.1"
OID_HMAC_SHA256 = "1.2.840.113549.2.9"
PBES2_CIPHERS = {  # oid -> (cipher, key length)
    "2.16.840.1.101.3.4.1.2": ("aes", 16), "2.16.840.1.101.3.4.1.22": ("aes", 24),
    "2.16.840.1.101.3.4.1.42": ("aes", 32), "1.2.840.113549.3.7": ("3des", 24),
}
OID_AES256_CBC = "2.16.840.1.101.3.4.1.42"


# --------------------------------------------------------------------------- KDF and ciphers

def pkcs12_kdf(hash_name: str, password: bytes, salt: bytes, ident: int, iterations: int, n: int) -> bytes:
    """RFC 7292 appendix B.2. `password` is already BMP-encoded with its two-zero terminator."""
    h = hashlib.new(hash_name)
    u, v = h.digest_size, h.block_size
    d = bytes([ident]) * v

    def stretch(data: bytes) -> bytes:
        if not data:
            return b""
        size = v * ((len(data) + v - 1) // v)
        return (data * (size // len(data) + 1))[:size]

    i_block = bytearray(stretch(salt) + stretch(password))
    out = b""
    while len(out) < n:
        a = hashlib.new(hash_name, d + bytes(i_block)).digest()
        for _ in range(iterations - 1):
            a = hashlib.new(hash_name, a).digest()
        out += a
        if len(out) >= n:
            break
        b = int.from_bytes((a * (v // u + 1))[:v], "big") + 1
        for j in range(0, len(i_block), v):
            chunk = (int.from_bytes(i_block[j:j + v], "big") + b) % (1 << (v * 8))
            i_block[j:j + v] = chunk.to_bytes(v, "big")
    return out[:n]


_PITABLE = bytes.fromhex(  # RFC 2268 section 2, checked against its test vectors in tests
    "d978f9c419ddb5ed28e9fd794aa0d89dc67e37832b76538e624c6488448bfba2"
    "179a59f587b34f1361456d8d09817d32bd8f40eb86b77b0bf09521225c6b4e82"
    "54d66593ce60b21c7356c014a78cf1dc1275ca1f3bbee4d1423dd430a33cb626"
    "6fbf0eda4669075727f21d9bbc944303f811c7f690ef3ee706c3d52fc8661ed7"
    "08e8eade8052eef784aa72ac354d6a2a961ad2715a1549744b9fd05e0418a4ec"
    "c2e0416e0f51cbcc2491af50a1f47039997c3a8523b8b47afc02365b25559731"
    "2d5dfa98e38a92ae05df2910676cbac9d300e6cfe19ea82c6316013f58e289a9"
    "0d38341bab33ffb0bb480c5fb9b1cd2ec5f3db47e5a59c770aa62068fe7fc1ad"
)


def _rc2_key_schedule(key: bytes, effective_bits: int) -> list[int]:
    """RFC 2268 key expansion (cryptography only offers 128-bit RC2; PKCS#12 uses 40-bit)."""
    t = len(key)
    t8 = (effective_bits + 7) // 8
    tm = 0xFF >> (8 * t8 - effective_bits)
    buf = bytearray(key) + bytearray(128 - t)
    for i in range(t, 128):
        buf[i] = _PITABLE[(buf[i - 1] + buf[i - t]) & 0xFF]
    buf[128 - t8] = _PITABLE[buf[128 - t8] & tm]
    for i in range(127 - t8, -1, -1):
        buf[i] = _PITABLE[buf[i + 1] ^ buf[i + t8]]
    return [buf[2 * i] | (buf[2 * i + 1] << 8) for i in range(64)]


_S = (1, 2, 3, 5)


def _rc2_encrypt_block(k: list[int], block: bytes) -> bytes:
    r = [block[2 * i] | (block[2 * i + 1] << 8) for i in range(4)]
    j = 0
    for rnd in range(16):
        for i in range(4):
            x = (r[i] + k[j] + (r[i - 1] & r[i - 2]) + (~r[i - 1] & r[i - 3])) & 0xFFFF
            r[i] = ((x << _S[i]) | (x >> (16 - _S[i]))) & 0xFFFF
            j += 1
        if rnd in (4, 10):  # mashing rounds after mixing rounds 5 and 11
            for i in range(4):
                r[i] = (r[i] + k[r[i - 1] & 63]) & 0xFFFF
    return b"".join(x.to_bytes(2, "little") for x in r)


def _rc2_decrypt_block(k: list[int], block: bytes) -> bytes:
    r = [block[2 * i] | (block[2 * i + 1] << 8) for i in range(4)]
    j = 63
    for rnd in range(16):
        for i in (3, 2, 1, 0):
            x = r[i]
            x = ((x >> _S[i]) | (x << (16 - _S[i]))) & 0xFFFF
            r[i] = (x - k[j] - (r[i - 1] & r[i - 2]) - (~r[i - 1] & r[i - 3])) & 0xFFFF
            j -= 1
        if rnd in (4, 10):
            for i in (3, 2, 1, 0):
                r[i] = (r[i] - k[r[i - 1] & 63]) & 0xFFFF
    return b"".join(x.to_bytes(2, "little") for x in r)


def _rc2_cbc(key: bytes, iv: bytes, data: bytes, encrypt: bool) -> bytes:
    k = _rc2_key_schedule(key, len(key) * 8)
    out, prev = bytearray(), iv
    for p in range(0, len(data), 8):
        block = data[p:p + 8]
        if encrypt:
            prev = _rc2_encrypt_block(k, bytes(a ^ b for a, b in zip(block, prev)))
            out += prev
        else:
            out += bytes(a ^ b for a, b in zip(_rc2_decrypt_block(k, block), prev))
            prev = block
    return bytes(out)


def _cbc(cipher: str, key: bytes, iv: bytes, data: bytes, encrypt: bool) -> bytes:
    block = 16 if cipher == "aes" else 8
    if encrypt:
        padder = padding.PKCS7(block * 8).padder()
        data = padder.update(data) + padder.finalize()
    elif not data or len(data) % block:
        raise BadPassword("ciphertext is not a whole number of blocks")
    if cipher == "rc2":
        out = _rc2_cbc(key, iv, data, encrypt)
    else:
        algo = AES(key) if cipher == "aes" else TripleDES(key)
        ctx = Cipher(algo, modes.CBC(iv))
        op = ctx.encryptor() if encrypt else ctx.decryptor()
        out = op.update(data) + op.finalize()
    if encrypt:
        return out
    unpadder = padding.PKCS7(block * 8).unpadder()
    try:
        return unpadder.update(out) + unpadder.finalize()
    except ValueError as exc:  # bad padding: the classic symptom of a wrong password
        raise BadPassword("bad padding") from exc


def bmp_password(password: str) -> bytes:
    return password.encode("utf-16-be") + b"\x00\x00"


def _decrypt(alg: Tlv, data: bytes, password: str, bmp: bytes) -> bytes:
    parts = alg.children()
    oid = parts[0].oid()
    if oid in PKCS12_PBE:
        cipher, klen = PKCS12_PBE[oid]
        params = parts[1].children()
        salt, iters = params[0].octets(), params[1].integer()
        key = pkcs12_kdf("sha1", bmp, salt, 1, iters, klen)
        iv = pkcs12_kdf("sha1", bmp, salt, 2, iters, 8)
        if cipher == "3des" and klen == 16:
            key = key + key[:8]
        return _cbc(cipher, key, iv, data, encrypt=False)
    if oid == OID_PBES2:
        kdf, scheme = parts[1].children()
        kdf_oid, kdf_params = kdf.children()
        if kdf_oid.oid() != OID_PBKDF2:
            raise UnsupportedPkcs12(f"KDF {kdf_oid.oid()}")
        p = kdf_params.children()
        salt, iters = p[0].octets(), p[1].integer()
        prf = "sha1"
        for extra in p[2:]:
            if extra.tag == SEQUENCE:
                prf_oid = extra.children()[0].oid()
                if prf_oid not in HASHES:
                    raise UnsupportedPkcs12(f"PRF {prf_oid}")
                prf = HASHES[prf_oid]
        scheme_oid, iv_tlv = scheme.children()[:2]
        if scheme_oid.oid() not in PBES2_CIPHERS:
            raise UnsupportedPkcs12(f"cipher {scheme_oid.oid()}")
        cipher, klen = PBES2_CIPHERS[scheme_oid.oid()]
        key = hashlib.pbkdf2_hmac(prf, password.encode("utf-8"), salt, iters, klen)
        return _cbc(cipher, key, iv_tlv.octets(), data, encrypt=False)
    raise UnsupportedPkcs12(f"encryption {oid}")


# --------------------------------------------------------------------------- reading

@dataclass
class Bag:
    der: bytes  # PrivateKeyInfo (PKCS#8, decrypted) or X.509 certificate DER
    friendly_name: str | None = None
    local_key_id: bytes | None = None


@dataclass
class Contents:
    keys: list[Bag] = field(default_factory=list)
    certs: list[Bag] = field(default_factory=list)


def _attributes(bag_parts: list[Tlv]) -> tuple[str | None, bytes | None]:
    name = key_id = None
    if len(bag_parts) > 2 and bag_parts[2].tag == SET:
        for attr in bag_parts[2].children():
            a_oid, values = attr.children()[:2]
            vals = values.children()
            if not vals:
                continue
            if a_oid.oid() == OID_FRIENDLY_NAME and vals[0].tag == BMPSTRING:
                name = vals[0].content.decode("utf-16-be", "replace")
            elif a_oid.oid() == OID_LOCAL_KEY_ID:
                key_id = vals[0].octets()
    return name, key_id


def _walk_safe_contents(data: bytes, password: str, bmp: bytes, out: Contents) -> None:
    for bag in parse_one(data).children():
        parts = bag.children()
        bag_oid = parts[0].oid()
        value = parts[1].children()[0]  # [0] EXPLICIT
        name, key_id = _attributes(parts)
        if bag_oid == OID_KEY_BAG:
            out.keys.append(Bag(value.raw, name, key_id))
        elif bag_oid == OID_SHROUDED_KEY_BAG:
            alg, enc = value.children()[:2]
            out.keys.append(Bag(_decrypt(alg, enc.octets(), password, bmp), name, key_id))
        elif bag_oid == OID_CERT_BAG:
            cert_parts = value.children()
            if cert_parts[0].oid() == OID_X509_CERT:
                out.certs.append(Bag(cert_parts[1].children()[0].octets(), name, key_id))
        elif bag_oid == OID_SAFE_CONTENTS_BAG:
            _walk_safe_contents(value.raw, password, bmp, out)
        # CRL and secret bags are irrelevant to signing


def _verify_mac(mac_data: Tlv, auth_safe: bytes, candidates: list[bytes]) -> bytes:
    """Returns the password encoding whose MAC matches, or raises BadPassword."""
    parts = mac_data.children()
    digest_info = parts[0].children()
    alg_oid = digest_info[0].children()[0].oid()
    if alg_oid not in HASHES:
        raise UnsupportedPkcs12(f"MAC {alg_oid}")  # e.g. PBMAC1 (OpenSSL 3.4+)
    hname = HASHES[alg_oid]
    expected = digest_info[1].octets()
    salt = parts[1].octets()
    iters = parts[2].integer() if len(parts) > 2 else 1
    for bmp in candidates:
        key = pkcs12_kdf(hname, bmp, salt, 3, iters, hashlib.new(hname).digest_size)
        if hmac.compare_digest(hmac.new(key, auth_safe, hname).digest(), expected):
            return bmp
    raise BadPassword("MAC mismatch")


def read_pkcs12(data: bytes, password: str) -> Contents:
    """Every key (decrypted PKCS#8 DER) and certificate in the file, in file order.
    Raises NotPkcs12, BadPassword or UnsupportedPkcs12, never anything else."""
    try:
        return _read_pkcs12(data, password)
    except Pkcs12Error:
        raise
    except Exception as exc:  # malformed input must not escape as a random error type
        raise NotPkcs12(type(exc).__name__) from None


def _read_pkcs12(data: bytes, password: str) -> Contents:
    try:
        pfx = parse_one(data)
        parts = pfx.children()
        if pfx.tag != SEQUENCE or len(parts) < 2 or parts[0].integer() != 3:
            raise NotPkcs12("not a PFX v3")
        ci = parts[1].children()
        if ci[0].oid() != OID_DATA:
            raise UnsupportedPkcs12("public-key integrity mode")
        auth_safe = ci[1].children()[0].octets()
    except (IndexError, ValueError) as exc:
        raise NotPkcs12(str(exc)) from exc
    # OpenSSL treats an empty password as either "no password" or the BMP empty string.
    candidates = [bmp_password(password)] + ([b""] if password == "" else [])
    if len(parts) > 2:
        bmp = _verify_mac(parts[2], auth_safe, candidates)
        candidates = [bmp]
    last_error: Exception | None = None
    for bmp in candidates:
        out = Contents()
        try:
            for info in parse_one(auth_safe).children():
                info_parts = info.children()
                kind = info_parts[0].oid()
                body = info_parts[1].children()[0]
                if kind == OID_DATA:
                    _walk_safe_contents(body.octets(), password, bmp, out)
                elif kind == OID_ENCRYPTED_DATA:
                    enc_info = body.children()[1].children()
                    alg, enc = enc_info[1], enc_info[2]
                    _walk_safe_contents(_decrypt(alg, enc.octets(), password, bmp), password, bmp, out)
                else:
                    raise UnsupportedPkcs12(f"content {kind}")
            return out
        except BadPassword as exc:
            last_error = exc
        except (IndexError, ValueError) as exc:
            raise NotPkcs12(str(exc)) from exc
    raise BadPassword("cannot decrypt") from last_error


# --------------------------------------------------------------------------- writing

def _bag_attributes(name: str | None, key_id: bytes | None) -> bytes:
    attrs = b""
    if name is not None:
        attrs += seq(der_oid(OID_FRIENDLY_NAME), tlv(SET, tlv(BMPSTRING, name.encode("utf-16-be"))))
    if key_id is not None:
        attrs += seq(der_oid(OID_LOCAL_KEY_ID), tlv(SET, tlv(OCTET_STRING, key_id)))
    return tlv(SET, attrs) if attrs else b""


def _encrypt(plain: bytes, password: str, legacy_oid: str | None, iterations: int) -> tuple[bytes, bytes]:
    """Returns (AlgorithmIdentifier DER, ciphertext)."""
    salt = os.urandom(8 if legacy_oid else 16)
    if legacy_oid:
        cipher, klen = PKCS12_PBE[legacy_oid]
        bmp = bmp_password(password)
        key = pkcs12_kdf("sha1", bmp, salt, 1, iterations, klen)
        iv = pkcs12_kdf("sha1", bmp, salt, 2, iterations, 8)
        alg = seq(der_oid(legacy_oid), seq(tlv(OCTET_STRING, salt), der_int(iterations)))
        return alg, _cbc(cipher, key, iv, plain, encrypt=True)
    iv = os.urandom(16)
    key = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations, 32)
    kdf = seq(der_oid(OID_PBKDF2), seq(tlv(OCTET_STRING, salt), der_int(iterations),
                                       seq(der_oid(OID_HMAC_SHA256), tlv(0x05, b""))))
    alg = seq(der_oid(OID_PBES2), seq(kdf, seq(der_oid(OID_AES256_CBC), tlv(OCTET_STRING, iv))))
    return alg, _cbc("aes", key, iv, plain, encrypt=True)


def write_pkcs12(keys: list[Bag], certs: list[Bag], password: str, *, legacy: bool = False,
                 iterations: int = 2048) -> bytes:
    """A PFX like OpenSSL writes it: certificates in one encrypted SafeContents, shrouded keys
    in a plain one, HMAC over everything. legacy=True: RC2-40 for certificates, 3DES for keys
    and an SHA-1 MAC (`openssl pkcs12 -export -legacy`); otherwise PBES2/AES-256 + SHA-256."""
    cert_bags = b"".join(
        seq(der_oid(OID_CERT_BAG),
            explicit0(seq(der_oid(OID_X509_CERT), explicit0(tlv(OCTET_STRING, c.der)))),
            _bag_attributes(c.friendly_name, c.local_key_id))
        for c in certs)
    key_bags = b""
    for k in keys:
        alg, enc = _encrypt(k.der, password, OID_PBE_SHA1_3DES if legacy else None, iterations)
        key_bags += seq(der_oid(OID_SHROUDED_KEY_BAG), explicit0(seq(alg, tlv(OCTET_STRING, enc))),
                        _bag_attributes(k.friendly_name, k.local_key_id))
    alg, enc = _encrypt(seq(cert_bags), password, OID_PBE_SHA1_RC2_40 if legacy else None, iterations)
    encrypted_certs = seq(der_oid(OID_ENCRYPTED_DATA), explicit0(
        seq(der_int(0), seq(der_oid(OID_DATA), alg, tlv(0x80, enc)))))
    plain_keys = seq(der_oid(OID_DATA), explicit0(tlv(OCTET_STRING, seq(key_bags))))
    auth_safe = seq(encrypted_certs, plain_keys)
    hname, hoid = ("sha1", "1.3.14.3.2.26") if legacy else ("sha256", OID_SHA256)
    salt = os.urandom(8 if legacy else 16)
    mac_key = pkcs12_kdf(hname, bmp_password(password), salt, 3, iterations, hashlib.new(hname).digest_size)
    mac = hmac.new(mac_key, auth_safe, hname).digest()
    mac_data = seq(seq(seq(der_oid(hoid), tlv(0x05, b"")), tlv(OCTET_STRING, mac)),
                   tlv(OCTET_STRING, salt), der_int(iterations))
    return seq(der_int(3), seq(der_oid(OID_DATA), explicit0(tlv(OCTET_STRING, auth_safe))), mac_data)
