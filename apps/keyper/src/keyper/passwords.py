"""Password hashing for LDAP userPassword / olcRootPW values."""

from __future__ import annotations

import base64
import hashlib
import os

SALT_BYTES = 16


def ssha(password: str, salt: bytes | None = None) -> str:
    """`{SSHA}` hash (salted SHA-1), the scheme every slapd verifies without extra modules."""
    salt = os.urandom(SALT_BYTES) if salt is None else salt
    digest = hashlib.sha1(password.encode("utf-8") + salt).digest()
    return "{SSHA}" + base64.b64encode(digest + salt).decode("ascii")


def check_ssha(password: str, hashed: str) -> bool:
    if not hashed.startswith("{SSHA}"):
        return False
    raw = base64.b64decode(hashed[len("{SSHA}") :])
    digest, salt = raw[:20], raw[20:]
    return hashlib.sha1(password.encode("utf-8") + salt).digest() == digest
