"""Encryption at rest: export files sealed in AES-GCM chunks, small secrets sealed whole.

A sealed file is a header (magic, random nonce prefix, chunk size) and then chunks, each
`length (4 bytes) + AES-256-GCM ciphertext`. Chunk n uses nonce = prefix || n, and its
associated data binds the header, n and whether it is the last chunk, so chunks cannot be
reordered, dropped or cut off without `open_sealed` noticing (the STREAM construction).
Memory stays at one chunk whatever the file size.

The key comes from EMR_FILE_KEY, else from the SECRET_KEY, through HKDF. Keep EMR_FILE_KEY set
on a production site: rotating the secret key would otherwise make stored exports unreadable.
"""
from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"EMRSEAL1"
CHUNK = 1024 * 1024
_HEADER = struct.Struct(">8s8sI")  # magic, nonce prefix, chunk size
_LEN = struct.Struct(">I")
_TEXT_MAGIC = b"T1"


class SealError(ValueError):
    """A sealed file or secret cannot be opened: wrong key, damaged or cut short."""


def derive_key(secret: str | bytes, purpose: bytes = b"emr-redact file key v1") -> bytes:
    """A 32-byte key derived from a site secret with HKDF-SHA256."""
    material = secret.encode() if isinstance(secret, str) else secret
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"emr-redact",
                info=purpose).derive(material)


def file_key(app: Any) -> bytes:
    """The site's key for files and secrets at rest (FILE_KEY, else SECRET_KEY, via HKDF)."""
    secret = app.config.get("FILE_KEY") or app.config.get("SECRET_KEY")
    if not secret:
        raise SealError("no FILE_KEY or SECRET_KEY configured: cannot encrypt files at rest")
    return derive_key(secret)


def _aad(header: bytes, n: int, last: bool) -> bytes:
    return header + struct.pack(">I?", n, last)


def seal_file(src: Path, dst: Path, key: bytes, chunk_size: int = CHUNK) -> str:
    """Encrypt `src` into `dst` (written beside it, then renamed); returns the plain SHA-256."""
    src, dst = Path(src), Path(dst)
    prefix = os.urandom(8)
    header = _HEADER.pack(MAGIC, prefix, chunk_size)
    aes = AESGCM(key)
    digest = hashlib.sha256()
    tmp = dst.with_name(f".{dst.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with open(src, "rb") as fin, os.fdopen(fd, "wb") as fout:
            fout.write(header)
            n = 0
            block = fin.read(chunk_size)
            while True:
                following = fin.read(chunk_size) if block else b""
                last = not following
                digest.update(block)
                sealed = aes.encrypt(prefix + struct.pack(">I", n), block, _aad(header, n, last))
                fout.write(_LEN.pack(len(sealed)) + sealed)
                if last:
                    break
                block, n = following, n + 1
            fout.flush()
            os.fsync(fout.fileno())
        os.replace(tmp, dst)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return digest.hexdigest()


def open_sealed(path: Path, key: bytes) -> Iterator[bytes]:
    """Yield the plain content of a sealed file chunk by chunk; SealError if it was altered."""
    aes = AESGCM(key)
    with open(path, "rb") as f:
        header = f.read(_HEADER.size)
        if len(header) != _HEADER.size:
            raise SealError("the sealed file is cut short")
        magic, prefix, _size = _HEADER.unpack(header)
        if magic != MAGIC:
            raise SealError("not a sealed file")
        n = 0
        raw = f.read(_LEN.size)
        while raw:
            (length,) = _LEN.unpack(raw)
            sealed = f.read(length)
            if len(sealed) != length:
                raise SealError("the sealed file is cut short")
            raw = f.read(_LEN.size)
            last = not raw
            try:
                yield aes.decrypt(prefix + struct.pack(">I", n), sealed, _aad(header, n, last))
            except InvalidTag:
                raise SealError("the sealed file was altered or the key is wrong") from None
            n += 1
        if n == 0:
            raise SealError("the sealed file has no content")


def seal_text(text: str, key: bytes) -> bytes:
    """Encrypt a small secret (an export password, a finding's value) into one blob."""
    nonce = os.urandom(12)
    return _TEXT_MAGIC + nonce + AESGCM(key).encrypt(nonce, text.encode(), _TEXT_MAGIC)


def open_text(blob: bytes, key: bytes) -> str:
    """The secret sealed by `seal_text`; SealError if altered or the key is wrong."""
    blob = bytes(blob)
    if not blob.startswith(_TEXT_MAGIC) or len(blob) < 14:
        raise SealError("not a sealed secret")
    try:
        return AESGCM(key).decrypt(blob[2:14], blob[14:], _TEXT_MAGIC).decode()
    except InvalidTag:
        raise SealError("the sealed secret was altered or the key is wrong") from None
