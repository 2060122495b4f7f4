"""OpenSSH public key lines: parsing, validation of the wire format, SHA256 fingerprints."""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from dataclasses import dataclass

from keyper.errors import ApiError

KEY_TYPES = frozenset(
    {
        "ssh-ed25519",
        "ssh-rsa",
        "ecdsa-sha2-nistp256",
        "ecdsa-sha2-nistp384",
        "ecdsa-sha2-nistp521",
        "sk-ssh-ed25519@openssh.com",
        "sk-ecdsa-sha2-nistp256@openssh.com",
    }
)
MAX_LINE = 16384


@dataclass(frozen=True)
class PublicKey:
    """One public key: its type, its base64 blob and an optional comment."""

    key_type: str
    blob: str
    comment: str

    @property
    def line(self) -> str:
        """The key as one authorized_keys line (type, blob and comment)."""
        return f"{self.key_type} {self.blob} {self.comment}".rstrip()

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.blob)


def fingerprint(blob_b64: str) -> str:
    """`SHA256:...` as ssh-keygen -l prints it: unpadded base64 of the blob's SHA-256."""
    digest = hashlib.sha256(base64.b64decode(blob_b64)).digest()
    return "SHA256:" + base64.b64encode(digest).decode("ascii").rstrip("=")


def _first_string(raw: bytes) -> str:
    if len(raw) < 4:
        raise ValueError("truncated")
    (length,) = struct.unpack(">I", raw[:4])
    if length > len(raw) - 4:
        raise ValueError("truncated")
    return raw[4 : 4 + length].decode("ascii")


def parse_public_key(text: str, allowed: frozenset[str] = KEY_TYPES) -> PublicKey:
    """Parse `type base64 [comment]`; the blob must decode and name the same type.
    Raises ApiError(400) with the reason."""
    if len(text) > MAX_LINE:
        raise ApiError(400, "public key: too long")
    if any(c in text for c in "\r\n\0"):
        raise ApiError(400, "public key: must be a single line")
    parts = text.strip().split(None, 2)
    if len(parts) < 2:
        raise ApiError(400, "public key: expected 'TYPE BASE64 [COMMENT]'")
    key_type, blob = parts[0], parts[1]
    comment = parts[2] if len(parts) == 3 else ""
    if key_type not in allowed:
        raise ApiError(400, f"public key: unsupported key type {key_type!r}")
    try:
        raw = base64.b64decode(blob, validate=True)
        inner = _first_string(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise ApiError(400, "public key: the base64 part is not an SSH key blob") from None
    if inner != key_type:
        raise ApiError(400, f"public key: blob holds {inner!r} but the line says {key_type!r}")
    return PublicKey(key_type, blob, comment)


def certificate_type(key_type: str) -> str:
    """The certificate type ssh-keygen produces for a key type."""
    return key_type.replace("@openssh.com", "") + "-cert-v01@openssh.com"
