"""One LDAP connection (ldap3) with results turned into ApiErrors, and DN/filter helpers."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence
from typing import Any

from ldap3 import BASE, LEVEL, Connection, Server
from ldap3.core.exceptions import LDAPException
from ldap3.utils.conv import escape_filter_chars
from ldap3.utils.dn import escape_rdn, parse_dn

from keyper.errors import ApiError

CONNECT_TIMEOUT = 5
RECEIVE_TIMEOUT = 15
SCOPES = {"base": BASE, "level": LEVEL}

# result code -> (HTTP status, wording)
_RESULTS = {
    16: (404, "no such value"),
    17: (400, "undefined attribute type"),
    18: (400, "inappropriate matching"),
    19: (400, "constraint violation"),
    20: (409, "value already present"),
    21: (400, "invalid attribute syntax"),
    32: (404, "not found"),
    34: (400, "invalid DN syntax"),
    49: (401, "invalid credentials"),
    64: (400, "naming violation"),
    65: (400, "object class violation"),
    67: (400, "not allowed on RDN"),
    68: (409, "already exists"),
}


def rdn(attr: str, value: str) -> str:
    """`attr=value` with value escaped per RFC 4514."""
    return f"{attr}={escape_rdn(value)}"


def filter_value(value: str) -> str:
    """A value escaped for use inside an LDAP filter (RFC 4515)."""
    return escape_filter_chars(value)


def _unescape(value: str) -> str:
    raw = bytearray()
    for match in re.finditer(r"\\([0-9a-fA-F]{2})|\\(.)|([^\\]+)", value, re.DOTALL):
        hexpair, char, plain = match.groups()
        if hexpair:
            raw.append(int(hexpair, 16))
        else:
            raw.extend((char or plain).encode("utf-8"))
    return raw.decode("utf-8", errors="replace")


def first_rdn_value(dn: str) -> str:
    """The unescaped value of the first RDN: `cn=a\\,b,ou=x` -> `a,b`."""
    return _unescape(parse_dn(dn)[0][1])


def server(uri: str) -> Server:
    return Server(uri, connect_timeout=CONNECT_TIMEOUT)


class Ldap:
    """A bound connection; every failing operation raises ApiError naming what it did."""

    def __init__(self, uri: str, bind_dn: str, password: str) -> None:
        try:
            self.conn = Connection(
                server(uri),
                user=bind_dn,
                password=password,
                receive_timeout=RECEIVE_TIMEOUT,
                raise_exceptions=False,
            )
            bound = self.conn.bind()
        except LDAPException as exc:
            raise ApiError(503, f"LDAP server {uri} unavailable: {type(exc).__name__}") from None
        if not bound:
            raise ApiError(503, f"LDAP bind as {bind_dn} failed: {self.conn.result['description']}")

    def close(self) -> None:
        with contextlib.suppress(LDAPException):  # the connection is going away either way
            self.conn.unbind()

    def _check(self, ok: bool, what: str, allow: Sequence[int] = ()) -> None:
        if ok:
            return
        code = int(self.conn.result.get("result", -1))
        if code in allow:
            return
        status, wording = _RESULTS.get(code, (502, "LDAP error"))
        detail = self.conn.result.get("message") or self.conn.result.get("description", "")
        raise ApiError(status, f"{what}: {wording}" + (f" ({detail})" if status == 400 else ""))

    def _run(self, fn: Any, *args: Any, **kwargs: Any) -> bool:
        try:
            return bool(fn(*args, **kwargs))
        except LDAPException as exc:
            raise ApiError(503, f"LDAP operation failed: {type(exc).__name__}") from None

    def search(
        self, base: str, search_filter: str, attributes: Sequence[str], scope: str = "level"
    ) -> list[dict[str, Any]]:
        """Entries as {"dn": ..., attr: [values...]}; a missing base gives an empty list."""
        ok = self._run(
            self.conn.search, base, search_filter, SCOPES[scope], attributes=list(attributes)
        )
        self._check(ok, f"search {base}", allow=(0, 32))
        found = []
        for item in self.conn.response or []:
            if item.get("type") != "searchResEntry":
                continue
            attrs = {
                k: list(v) if isinstance(v, list) else [v]
                for k, v in item["raw_attributes"].items()
            }
            decoded = {k: [x.decode("utf-8") for x in v] for k, v in attrs.items()}
            found.append({"dn": item["dn"], **decoded})
        return found

    def add(self, dn: str, attributes: dict[str, Any], what: str) -> None:
        self._check(self._run(self.conn.add, dn, attributes=attributes), what)

    def modify(
        self, dn: str, changes: dict[str, Any], what: str, allow: Sequence[int] = ()
    ) -> None:
        self._check(self._run(self.conn.modify, dn, changes), what, allow)

    def delete(self, dn: str, what: str) -> None:
        self._check(self._run(self.conn.delete, dn), what)


def check_password(uri: str, dn: str, password: str) -> bool:
    """Does a simple bind as `dn` with `password` succeed? An empty password is refused here,
    because LDAP treats it as an unauthenticated bind that 'succeeds'."""
    if not password:
        return False
    try:
        conn = Connection(server(uri), user=dn, password=password, raise_exceptions=False)
        ok = bool(conn.bind())
        conn.unbind()
    except LDAPException as exc:
        raise ApiError(503, f"LDAP server {uri} unavailable: {type(exc).__name__}") from None
    return ok
