"""Per-app services and per-request state: settings, CA, tokens, the LDAP directory, and the
logged-in user with the role checks."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import current_app, g, request

from keyper.config import Settings
from keyper.directory import Directory
from keyper.errors import ApiError
from keyper.ldapconn import Ldap
from keyper.sshca import CertificateAuthority
from keyper.tokens import Claims, TokenService

F = TypeVar("F", bound=Callable[..., Any])
EXTENSION = "keyper"


@dataclass(frozen=True)
class Services:
    settings: Settings
    ca: CertificateAuthority
    tokens: TokenService


def services() -> Services:
    return current_app.extensions[EXTENSION]  # type: ignore[no-any-return]


def directory() -> Directory:
    """The request's LDAP connection, opened on first use and closed at teardown."""
    if "directory" not in g:
        s = services().settings
        g.directory = Directory(s, Ldap(s.ldap_uri, s.bind_dn, s.bind_password))
    return g.directory  # type: ignore[no-any-return]


def close_directory(_exc: BaseException | None = None) -> None:
    found = g.pop("directory", None)
    if found is not None:
        found.ldap.close()


def claims() -> Claims:
    """The verified token of this request (401 without a valid one)."""
    if "claims" not in g:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(401, "missing bearer token")
        g.claims = services().tokens.verify(token.strip())
    return g.claims  # type: ignore[no-any-return]


def current_username() -> str:
    return claims().username


def is_admin() -> bool:
    if "is_admin" not in g:
        g.is_admin = directory().is_admin(current_username())
    return bool(g.is_admin)


def require_login(fn: F) -> F:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        user = directory().find_user(current_username())
        if user is None or user.locked:
            raise ApiError(401, "account no longer active")
        return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def require_admin(fn: F) -> F:
    @require_login
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not is_admin():
            raise ApiError(403, "administrators only (KeyperAdmins)")
        return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def ensure_self_or_admin(username: str) -> None:
    if username != current_username() and not is_admin():
        raise ApiError(403, "only the user themself or an administrator may do this")
