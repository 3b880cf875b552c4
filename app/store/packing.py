"""The signed XML (`documents.xml`) and the sale's request (`sales.request_json`) stored
compressed, losslessly, and read back byte for byte by every reader without it knowing.

Why (issue #15 item 8): the signed XML is ~8 KB and half of it is base64 (the signer's
certificate, digests, the signature) that plain zlib barely shrinks; but every document of a
shop repeats the same certificate, signature layout and issuer block. So each value is deflated
against a preset dictionary (zlib `zdict`) that is an earlier value of the same column: for the
XML, the first document signed with the current certificate (a new one is made when a document
carries a certificate the current dictionary lacks: a renewal); for the request, the first
request stored. That takes the XML to ~0.8–1 KB and the request to ~0.2–0.3 KB (bench_disk.py).

Stored form (a BLOB): MAGIC, a kind byte (b: the value was bytes, t: text), the dictionary's key
(the first 8 bytes of its SHA-256; zeros: none), the SHA-256 of the original value, and its raw
deflate stream. A signed XML starts with '<' (or a BOM) and a legacy request is TEXT, so a stored
value is packed exactly when it is a BLOB starting with MAGIC; anything else reads as it is.

Guarantees:
- Byte-exact: `pack` decompresses what it made and compares it with the original before it is
  written; `unpack` checks the SHA-256 on every read and raises CorruptDatabaseError otherwise.
- Dictionaries (`store_dicts`, migration 0013) are content-addressed, inserted in the same
  transaction as the first value that uses them, and never updated nor deleted (triggers).
- Transparent: `row_factory` (installed on every connection by app.store.db) unpacks the columns
  named in PACKED_COLUMNS, so the ~70 readers of `row["xml"]` / `row["request_json"]` (and central
  replication, which pushes the original bytes and their SHA-256) are unchanged. Writers call
  `pack` (documents.insert, pos.checkout). Rows written before 0013 are packed in short batches by
  the worker (documents.compact_events), never in one long lock at start-up.
"""
from __future__ import annotations

import hashlib
import re
import sqlite3
import struct
import zlib

from app.core.errors import CorruptDatabaseError

MAGIC = b"\x00MZP1"
_HEAD = struct.Struct(">c8s32s")  # kind, dictionary key (zeros: none), SHA-256 of the original
HEADER_SIZE = len(MAGIC) + _HEAD.size
NO_DICT = bytes(8)
LEVEL = 6  # level 9 gains < 1 % on these values for twice the time
PACKED_COLUMNS = frozenset({"xml", "request_json"})
_WBITS = -15  # raw deflate: the SHA-256 already guards the value
_MAX_DICT = 32 * 1024  # deflate's window: a longer dictionary is cut to its tail anyway
# XMLDSig's certificate element, whatever its prefix: a new one means a new dictionary.
_CERT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?X509Certificate>\s*([A-Za-z0-9+/=\r\n]{64,})")


def is_packed(stored) -> bool:
    return type(stored) is bytes and stored[:5] == MAGIC


# -- dictionaries --------------------------------------------------------------------------------

def _cache(conn) -> dict:
    try:
        return conn._mz_dicts
    except AttributeError:
        cache: dict = {}
        try:
            conn._mz_dicts = cache
        except AttributeError:  # a plain sqlite3.Connection: no cache, read each time
            pass
        return cache


def _dict_data(conn, key: bytes) -> bytes:
    cache = _cache(conn)
    data = cache.get(key)
    if data is None:
        row = conn.execute("SELECT data FROM store_dicts WHERE key=?", (key,)).fetchone()
        if row is None or hashlib.sha256(bytes(row[0])).digest()[:8] != key:
            raise CorruptDatabaseError("Falta o está dañado un diccionario de compresión (store_dicts): "
                                       "restaure la última copia de seguridad")
        data = cache[key] = bytes(row[0])
    return data


def _newest(conn, purpose: str) -> tuple[bytes, bytes] | None:
    row = conn.execute("SELECT key, data FROM store_dicts WHERE purpose=? ORDER BY made_at DESC, key "
                       "LIMIT 1", (purpose,)).fetchone()
    if row is None:
        return None
    key, data = bytes(row[0]), bytes(row[1])
    _cache(conn)[key] = data
    _cache(conn)[("current", purpose)] = (key, data)
    return key, data


def _certificate(value: bytes):
    """`_CERT.search(value)`, without scanning the whole document with the regex: a match holds
    the first "X509Certificate>" and no '<' between its own '<' and that, so the leftmost match,
    if any, starts at the last '<' before the first "X509Certificate>"; else the full search."""
    i = value.find(b"X509Certificate>")
    if i < 0:
        return None
    m = _CERT.match(value, value.rfind(b"<", 0, i))
    return m if m is not None else _CERT.search(value)


def _fits(purpose: str, value: bytes, data: bytes) -> bool:
    if purpose != "xml":
        return True
    m = _certificate(value)
    return m is None or m.group(1) in data


def _dictionary(conn, purpose: str, value: bytes) -> tuple[bytes, bytes]:
    """The dictionary to pack `value` with: the newest of its purpose if it fits, else a new
    one made of `value` itself. Inserted (if missing) in the caller's transaction, so a value
    is never committed without its dictionary."""
    current = _cache(conn).get(("current", purpose))
    if current is None or not _fits(purpose, value, current[1]):
        current = _newest(conn, purpose)
        if current is None or not _fits(purpose, value, current[1]):
            data = value[-_MAX_DICT:]
            current = (hashlib.sha256(data).digest()[:8], data)
            _cache(conn)[current[0]] = data
            _cache(conn)[("current", purpose)] = current
    key, data = current
    conn.execute("INSERT OR IGNORE INTO store_dicts(key, purpose, made_at, data) "
                 "VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%f', 'now'), ?)", (key, purpose, data))
    return key, data


# -- values --------------------------------------------------------------------------------------

def _inflate(z: bytes, zdict: bytes | None) -> bytes:
    d = zlib.decompressobj(_WBITS, zdict=zdict) if zdict else zlib.decompressobj(_WBITS)
    out = d.decompress(z) + d.flush()
    if not d.eof or d.unused_data:
        raise zlib.error("incomplete or trailing deflate data")
    return out


def pack(conn: sqlite3.Connection, purpose: str, value: bytes | str) -> bytes:
    """The stored form of `value` (inside the caller's write transaction). `purpose` names the
    column family ('xml', 'request_json'): values of one purpose share dictionaries."""
    if is_packed(value):
        return value
    kind = b"t" if isinstance(value, str) else b"b"
    raw = value.encode("utf-8") if kind == b"t" else bytes(value)
    key, zdict = _dictionary(conn, purpose, raw)
    c = zlib.compressobj(LEVEL, zlib.DEFLATED, _WBITS, zdict=zdict)
    z = c.compress(raw) + c.flush()
    if _inflate(z, zdict) != raw:  # never store what does not read back exactly
        raise CorruptDatabaseError(f"La compresión de {purpose} no devolvió los mismos bytes: no se guardó")
    return MAGIC + _HEAD.pack(kind, key, hashlib.sha256(raw).digest()) + z


def unpack(conn: sqlite3.Connection, stored):
    """The original value of what a packed column holds (bytes or str, as it was given to
    `pack`); anything not packed is returned as it is."""
    if not is_packed(stored):
        return stored
    kind, key, digest = _HEAD.unpack_from(stored, len(MAGIC))
    try:
        raw = _inflate(stored[HEADER_SIZE:], None if key == NO_DICT else _dict_data(conn, key))
    except zlib.error:
        raw = None
    if raw is None or hashlib.sha256(raw).digest() != digest:
        raise CorruptDatabaseError("Un documento guardado no coincide con su huella SHA-256: "
                                   "restaure la última copia de seguridad")
    return raw.decode("utf-8") if kind == b"t" else raw


_last: tuple = (None, ())  # (cursor.description, indexes of packed columns): one slot, swapped whole


def row_factory(cursor: sqlite3.Cursor, values: tuple) -> sqlite3.Row:
    """sqlite3.Row with the packed columns (by name) unpacked."""
    global _last
    desc = cursor.description
    seen = _last
    if seen[0] is desc:
        idx = seen[1]
    else:
        idx = tuple(i for i, d in enumerate(desc) if d[0] in PACKED_COLUMNS)
        _last = (desc, idx)
    if idx:
        for i in idx:
            v = values[i]
            if type(v) is bytes and v[:5] == MAGIC:
                values = list(values) if type(values) is tuple else values
                values[i] = unpack(cursor.connection, v)
        if type(values) is list:
            values = tuple(values)
    return sqlite3.Row(cursor, values)
