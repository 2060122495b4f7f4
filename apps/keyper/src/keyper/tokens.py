"""Login tokens: HMAC-signed JWTs with an expiry, and a revocation list shared by all workers
(one file per revoked token id under the state directory, kept until the token expires)."""

from __future__ import annotations

import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

import jwt

from keyper.errors import ApiError
from keyper.locks import write_atomic

ALGORITHM = "HS256"
ISSUER = "keyper"
REVOKED_DIR = "revoked-tokens"
_JTI = re.compile(r"^[0-9a-f]{32}$")


@dataclass(frozen=True)
class Claims:
    username: str
    jti: str
    expires: int


class TokenService:
    def __init__(self, secret: str, ttl: int, state_dir: Path) -> None:
        self._secret = secret
        self.ttl = ttl
        self.revoked_dir = state_dir / REVOKED_DIR

    def issue(self, username: str) -> tuple[str, Claims]:
        issued = int(time.time())
        claims = Claims(username, secrets.token_hex(16), issued + self.ttl)
        payload = {"sub": username, "jti": claims.jti, "iat": issued, "exp": claims.expires}
        payload["iss"] = ISSUER
        return jwt.encode(payload, self._secret, algorithm=ALGORITHM), claims

    def verify(self, token: str) -> Claims:
        """The token's claims; ApiError(401) when it is malformed, forged, expired or revoked."""
        try:
            payload = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                issuer=ISSUER,
                options={"require": ["sub", "jti", "exp", "iat", "iss"]},
            )
        except jwt.ExpiredSignatureError:
            raise ApiError(401, "token expired") from None
        except jwt.InvalidTokenError:
            raise ApiError(401, "invalid token") from None
        jti, sub = payload["jti"], payload["sub"]
        if not isinstance(jti, str) or not _JTI.match(jti) or not isinstance(sub, str):
            raise ApiError(401, "invalid token")
        if (self.revoked_dir / jti).exists():
            raise ApiError(401, "token revoked")
        return Claims(sub, jti, int(payload["exp"]))

    def revoke(self, claims: Claims) -> None:
        self.revoked_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_atomic(self.revoked_dir / claims.jti, f"{claims.expires}\n".encode(), 0o600)
        self._prune()

    def _prune(self) -> None:
        """Forget revocations of tokens that have expired anyway (they fail verification)."""
        now = time.time()
        for entry in os.scandir(self.revoked_dir):
            try:
                expires = int(Path(entry.path).read_text(encoding="ascii"))
            except (OSError, ValueError):
                continue
            if expires < now:
                Path(entry.path).unlink(missing_ok=True)
