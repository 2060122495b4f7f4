"""The environment as data: variables, where each value came from, and what it overruled."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from enum import Enum
from pathlib import Path
from typing import NamedTuple

from ..log import secret_values as log_secret_values


class SourceKind(Enum):
    PROCESS = "process"  # the environment lightbase was started with
    FILE = "file"  # an environment file under ROOT/environment/
    FILE_REFERENCE = "file-reference"  # the content of the file a NAME_FILE variable names
    RUNTIME = "runtime"  # a file a startup script wrote into RUN/environment/


class Source(NamedTuple):
    """Where one definition came from.

    `path` is relative to the container root for FILE (and for RUNTIME when the run dir is
    inside the root), the path as given for FILE_REFERENCE. `via` names the NAME_FILE
    variable of a FILE_REFERENCE, and `origin` says where that variable was set.
    """

    kind: SourceKind
    path: Path | None = None
    line: int | None = None
    via: str | None = None
    origin: Source | None = None

    def __str__(self) -> str:
        if self.kind is SourceKind.PROCESS:
            return "process environment"
        if self.kind is SourceKind.FILE_REFERENCE:
            return f"file {self.path} (via {self.via}, {self.origin})"
        where = str(self.path)
        if self.kind is SourceKind.RUNTIME:
            return f"{where} (written by a startup script)"
        return f"{where}:{self.line}" if self.line is not None else where


class Variable(NamedTuple):
    name: str
    value: str  # may be secret: never in a repr that ends up in a log
    source: Source
    startup_only: bool = False

    def __repr__(self) -> str:
        return (
            f"Variable(name={self.name!r}, source={self.source!r}, "
            f"startup_only={self.startup_only!r})"
        )


class Overruled(Enum):
    """Why a definition did not make it into the environment."""

    DEFINED_EARLIER = "ignored: defined earlier"
    REPLACED_AT_STARTUP = "replaced by a startup script"
    DELETED_AT_STARTUP = "deleted by a startup script"


class Overruling(NamedTuple):
    source: Source
    reason: Overruled


class Environment(Mapping[str, Variable]):
    """An immutable set of variables in definition order, plus the definitions they overruled."""

    def __init__(
        self,
        variables: Iterable[Variable] = (),
        overruled: Mapping[str, Iterable[Overruling]] | None = None,
    ) -> None:
        self._variables = {v.name: v for v in variables}
        self._overruled = {name: tuple(items) for name, items in (overruled or {}).items()}

    def __getitem__(self, name: str) -> Variable:
        return self._variables[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._variables)

    def __len__(self) -> int:
        return len(self._variables)

    def __repr__(self) -> str:  # names only: values may be secret
        return f"Environment({sorted(self._variables)})"

    def overruled(self, name: str) -> tuple[Overruling, ...]:
        """Definitions of `name` that lost, first to last (also for names no longer present)."""
        return self._overruled.get(name, ())

    def overruled_map(self) -> dict[str, tuple[Overruling, ...]]:
        return dict(self._overruled)

    def as_dict(self, *, include_startup: bool = True) -> dict[str, str]:
        return {
            v.name: v.value
            for v in self._variables.values()
            if include_startup or not v.startup_only
        }

    def secret_values(self, words: Iterable[str]) -> list[str]:
        """Values of variables whose name marks them secret, for the log redactor."""
        return log_secret_values(self.as_dict(), words)

    def without_startup(self) -> Environment:
        return Environment(
            (v for v in self._variables.values() if not v.startup_only), self._overruled
        )
