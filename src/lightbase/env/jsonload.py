"""Lossless JSON for environment files and `#JSON2BASH:` values.

Numbers stay as written (`1.50` is "1.50"), true/false/null become "true"/"false"/"", and a
duplicate key is an error with its line. The standard decoder cannot report where a key is,
so objects are parsed here, key by key, inside the standard library's pure-Python scanner
(which uses our object parser; the C scanner would not).
"""

from __future__ import annotations

import json
from json.decoder import WHITESPACE, JSONDecodeError, scanstring
from json.scanner import py_make_scanner
from typing import Any

from .raw import Entry, ParseProblem, RawValue


class _Object(dict):  # type: ignore[type-arg]
    """A JSON object that remembers the offset of each key."""

    offsets: dict[str, int]


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _parse_object(
    s_and_end: tuple[str, int],
    strict: bool,
    scan_once: Any,
    object_hook: Any,
    object_pairs_hook: Any,
    memo: Any = None,
) -> tuple[_Object, int]:
    text, end = s_and_end
    result = _Object()
    result.offsets = {}
    end = WHITESPACE.match(text, end).end()
    if text[end : end + 1] == "}":
        return result, end + 1
    while True:
        if text[end : end + 1] != '"':
            raise JSONDecodeError("Expecting property name enclosed in double quotes", text, end)
        key, after = scanstring(text, end + 1, strict)
        if key in result:
            first = _line(text, result.offsets[key])
            raise ParseProblem(_line(text, end), f"duplicate key {key!r} (first at line {first})")
        result.offsets[key] = end
        end = WHITESPACE.match(text, after).end()
        if text[end : end + 1] != ":":
            raise JSONDecodeError("Expecting ':' delimiter", text, end)
        end = WHITESPACE.match(text, end + 1).end()
        try:
            result[key], end = scan_once(text, end)
        except StopIteration as stop:
            raise JSONDecodeError("Expecting value", text, stop.value) from None
        end = WHITESPACE.match(text, end).end()
        delimiter = text[end : end + 1]
        if delimiter == "}":
            return result, end + 1
        if delimiter != ",":
            raise JSONDecodeError("Expecting ',' delimiter", text, end)
        end = WHITESPACE.match(text, end + 1).end()


def _decoder() -> json.JSONDecoder:
    decoder = json.JSONDecoder(parse_int=str, parse_float=str, parse_constant=str)
    decoder.parse_object = _parse_object  # type: ignore[attr-defined]
    decoder.scan_once = py_make_scanner(decoder)  # type: ignore[attr-defined]
    return decoder


def _as_text(value: Any) -> RawValue:
    """true/false/null -> text; numbers and strings already are text."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return ""
    if isinstance(value, list):
        return [_as_text(item) for item in value]
    if isinstance(value, dict):
        return {key: _as_text(item) for key, item in value.items()}
    return str(value)


def parse_json_value(text: str) -> tuple[RawValue, _Object | None]:
    """Any JSON value (and the object itself when it is one, for key offsets)."""
    try:
        value = _decoder().decode(text)
    except JSONDecodeError as error:
        raise ParseProblem(error.lineno, f"cannot parse JSON: {error.msg}") from None
    except RecursionError:
        raise ParseProblem(None, "cannot parse JSON: nested too deeply") from None
    return _as_text(value), value if isinstance(value, _Object) else None


def parse_json(text: str) -> list[Entry]:
    """Top-level entries of a JSON file; an empty (whitespace-only) file has none."""
    if not text.strip():
        return []
    value, obj = parse_json_value(text)
    if obj is None or not isinstance(value, dict):
        start = len(text) - len(text.lstrip())
        found = "an array" if isinstance(value, list) else "a single value"
        raise ParseProblem(_line(text, start), f"top level must be an object, found {found}")
    return [Entry(name, item, _line(text, obj.offsets[name])) for name, item in value.items()]
