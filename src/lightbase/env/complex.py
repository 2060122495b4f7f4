"""Lists and maps as flat variables (the complex-bash-env encoding), and the
`#PYTHON2BASH:` / `#JSON2BASH:` markers that carry such values in a single string.

    NAME: [a, b]        NAME='#COMPLEX_BASH_ENV:TABLE: NAME_ROW_1 NAME_ROW_2'
                        NAME_ROW_1='a'  NAME_ROW_2='b'
    NAME: {k: v}        NAME='#COMPLEX_BASH_ENV:ROW: NAME_KEY NAME_VALUE'
                        NAME_KEY='k'  NAME_VALUE='v'
    NAME: {k1: v1, ...} a TABLE whose rows are single-key ROWs, one per key, in order

Elements are encoded recursively; element strings are never decoded again.
"""

from __future__ import annotations

from .raw import ParseProblem, RawValue

TABLE = "#COMPLEX_BASH_ENV:TABLE:"
ROW = "#COMPLEX_BASH_ENV:ROW:"
PYTHON_MARKER = "#PYTHON2BASH:"
JSON_MARKER = "#JSON2BASH:"
# One value may not explode into more variables than this (a YAML alias bomb would).
MAX_VARIABLES = 10_000


class DecodeError(ValueError):
    """A marked value that does not decode; the message never contains the value."""


def expand(name: str, value: RawValue) -> list[tuple[str, str]]:
    """(name, value) pairs for one top-level value: scalars as they are, unless marked."""
    if isinstance(value, str):
        decoded = decode_marked(value)
        if decoded is None:
            return [(name, value)]
        value = decoded
    pairs: list[tuple[str, str]] = []
    _encode(name, value, pairs)
    return pairs


def _encode(name: str, value: RawValue, out: list[tuple[str, str]]) -> None:
    if len(out) >= MAX_VARIABLES:
        raise DecodeError(f"the value makes more than {MAX_VARIABLES} variables")
    if isinstance(value, str):
        out.append((name, value))
    elif isinstance(value, dict) and len(value) == 1:
        ((key, item),) = value.items()
        out.append((name, f"{ROW} {name}_KEY {name}_VALUE"))
        out.append((f"{name}_KEY", key))
        _encode(f"{name}_VALUE", item, out)
    else:
        rows = [f"{name}_ROW_{i}" for i in range(1, len(value) + 1)]
        out.append((name, TABLE + "".join(" " + row for row in rows)))
        items = [{k: v} for k, v in value.items()] if isinstance(value, dict) else value
        for row, item in zip(rows, items, strict=True):
            _encode(row, item, out)


def decode_marked(value: str) -> RawValue | None:
    """The structure a `#PYTHON2BASH:` / `#JSON2BASH:` value carries; None if unmarked."""
    if value.startswith(JSON_MARKER):
        from .jsonload import parse_json_value  # rarely needed: keep json off the import path

        try:
            return parse_json_value(value[len(JSON_MARKER) :])
        except ParseProblem as problem:
            raise DecodeError(f"cannot decode {JSON_MARKER} value: {problem.reason}") from None
    if value.startswith(PYTHON_MARKER):
        from .pyliteral import parse_literal  # rarely needed: keep ast off the import path

        try:
            return parse_literal(value[len(PYTHON_MARKER) :])
        except ValueError as error:
            raise DecodeError(f"cannot decode {PYTHON_MARKER} value: {error}") from None
    return None
