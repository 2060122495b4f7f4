"""Lossless JSON for environment files and `#JSON2BASH:` values.

Numbers stay as written (`1.50` is "1.50"), true/false/null become "true"/"false"/"", and a
duplicate key is an error with its line. The standard decoder can neither keep a number's
text for nested values and report where a key is, so this is a small recursive-descent
parser of strict JSON (RFC 8259); only string escapes are left to the standard library.
"""

from __future__ import annotations

import json
import re
from typing import NoReturn

from .raw import Entry, ParseProblem, RawValue

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_STRING = re.compile(r'"(?:[^"\\\x00-\x1f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"')
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_SURROGATE = re.compile("[\ud800-\udfff]")
_WORDS = (("true", "true"), ("false", "false"), ("null", ""))
MAX_DEPTH = 200


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.key_offsets: dict[str, int] = {}  # of the top-level object

    def line(self, offset: int) -> int:
        return self.text.count("\n", 0, offset) + 1

    def fail(self, reason: str) -> NoReturn:
        raise ParseProblem(self.line(self.pos), f"cannot parse JSON: {reason}")

    def skip(self) -> str:
        """Skip whitespace; the next character ("" at the end)."""
        match = _WHITESPACE.match(self.text, self.pos)
        assert match is not None  # the pattern matches the empty string
        self.pos = match.end()
        return self.text[self.pos : self.pos + 1]

    def document(self) -> RawValue:
        value = self.value(0)
        if self.skip():
            self.fail("extra data after the value")
        return value

    def value(self, depth: int) -> RawValue:
        if depth > MAX_DEPTH:
            self.fail("nested too deeply")
        char = self.skip()
        if char == "{":
            return self.object(depth)
        if char == "[":
            return self.array(depth)
        if char == '"':
            return self.string()
        for word, value in _WORDS:
            if self.text.startswith(word, self.pos):
                self.pos += len(word)
                return value
        number = _NUMBER.match(self.text, self.pos)
        if number is None:
            self.fail("expected a value")
        self.pos = number.end()
        return number.group()

    def string(self) -> str:
        match = _STRING.match(self.text, self.pos)
        if match is None:
            self.fail("invalid string (unterminated, bad escape or control character)")
        decoded: str = json.loads(match.group())
        if _SURROGATE.search(decoded):
            self.fail("invalid \\u escape (a lone surrogate)")
        self.pos = match.end()
        return decoded

    def array(self, depth: int) -> list[RawValue]:
        self.pos += 1  # [
        items: list[RawValue] = []
        if self.skip() == "]":
            self.pos += 1
            return items
        while True:
            items.append(self.value(depth + 1))
            if self.close("]"):
                return items

    def object(self, depth: int) -> dict[str, RawValue]:
        self.pos += 1  # {
        result: dict[str, RawValue] = {}
        offsets: dict[str, int] = {}
        if self.skip() == "}":
            self.pos += 1
            return result
        while True:
            if self.skip() != '"':
                self.fail("expected a key in double quotes")
            offset = self.pos
            key = self.string()
            if key in result:
                first = self.line(offsets[key])
                raise ParseProblem(
                    self.line(offset), f"duplicate key {key!r} (first at line {first})"
                )
            offsets[key] = offset
            if self.skip() != ":":
                self.fail("expected ':' after the key")
            self.pos += 1
            result[key] = self.value(depth + 1)
            if self.close("}"):
                if depth == 0:
                    self.key_offsets = offsets
                return result

    def close(self, closing: str) -> bool:
        """After an element: True at the closing bracket, False after a comma."""
        char = self.skip()
        self.pos += 1
        if char == closing:
            return True
        if char != ",":
            self.pos -= 1
            self.fail(f"expected ',' or '{closing}'")
        return False


def parse_json_value(text: str) -> RawValue:
    """Any JSON value, scalars as text."""
    return _Parser(text).document()


def parse_json(text: str) -> list[Entry]:
    """Top-level entries of a JSON file; an empty (whitespace-only) file has none."""
    if not text.strip():
        return []
    parser = _Parser(text)
    value = parser.document()
    if not isinstance(value, dict):
        parser.pos = len(text) - len(text.lstrip())
        found = "an array" if isinstance(value, list) else "a single value"
        raise ParseProblem(parser.line(parser.pos), f"top level must be an object, found {found}")
    return [
        Entry(name, item, parser.line(parser.key_offsets[name])) for name, item in value.items()
    ]
