"""What a parsed environment source yields before precedence and encoding are applied."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

# A scalar is the text as written; lists and maps keep their order (maps: file order).
RawValue: TypeAlias = str | list["RawValue"] | dict[str, "RawValue"]


@dataclass(frozen=True)
class Entry:
    """One top-level definition: a variable name, its raw value and its line (1-based)."""

    name: str
    value: RawValue
    line: int | None = None


class ParseProblem(Exception):
    """A broken file, found by a parser; the caller adds the file name."""

    def __init__(self, line: int | None, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason
