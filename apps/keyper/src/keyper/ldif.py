"""LDIF writing (RFC 2849): values that are not safe strings are base64-encoded with `::`."""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence

Entry = tuple[str, Sequence[tuple[str, str | bytes]]]

_UNSAFE_INIT = {" ", ":", "<"}


def is_safe_string(value: str) -> bool:
    """True when RFC 2849 allows `value` after a single colon: ASCII without NUL, CR or LF,
    not starting with space, colon or '<', and (so that readers keep it exact) not ending
    with a space."""
    if not value:
        return True
    if value[0] in _UNSAFE_INIT or value.endswith(" "):
        return False
    return all(0 < ord(c) < 128 and c not in "\r\n" for c in value)


def attribute_line(name: str, value: str | bytes) -> str:
    """One `name: value` or `name:: base64` line."""
    if isinstance(value, str) and is_safe_string(value):
        return f"{name}: {value}"
    raw = value.encode("utf-8") if isinstance(value, str) else value
    return f"{name}:: {base64.b64encode(raw).decode('ascii')}"


def entry(dn: str, attributes: Sequence[tuple[str, str | bytes]]) -> str:
    """One LDIF record, ending with a blank line."""
    lines = [attribute_line("dn", dn)]
    lines.extend(attribute_line(name, value) for name, value in attributes)
    return "\n".join(lines) + "\n\n"


def document(entries: Iterable[Entry]) -> str:
    return "".join(entry(dn, attrs) for dn, attrs in entries)
