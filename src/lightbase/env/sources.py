"""load(): the process environment and the environment files -> one Environment.

Precedence: the first definition of a name wins, sources taken in order (the process
environment, then each file in `files.discover` order); within one source a name may be
defined once. A list or map is decided as a whole by its top-level name: the rows it
generates come with it or not at all.

`NAME_FILE=/path` is a definition of NAME, at the place where NAME_FILE appears, whose value
is the file's content (one trailing newline removed) -- provided NAME itself is declared by
some source (typically a default in environment/default.yaml). Otherwise NAME_FILE is an
ordinary variable: images commonly have variables such as `SSL_CERT_FILE` or
`SSH_CA_KRL_FILE: ca_krl` that name files and must not be read. A NAME_FILE that is taken
as a reference is not itself exported; its file is read only when it wins.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import NamedTuple

from ..errors import ConfigError
from ..layout import Layout
from .complex import DecodeError, expand
from .files import EnvFile, FileFormat, discover
from .model import Environment, Overruled, Overruling, Source, SourceKind, Variable
from .raw import Entry, ParseProblem
from .values import check_value, read_value_file, strip_newline

REFERENCE_SUFFIX = "_FILE"
PROCESS = Source(SourceKind.PROCESS)


class _Origin(NamedTuple):
    """One source: its definitions, where they are, and whether they are startup-only."""

    entries: list[Entry]
    source: Source  # the line is filled in per entry
    startup_only: bool = False

    def at(self, entry: Entry) -> Source:
        if self.source.kind is SourceKind.PROCESS:
            return self.source
        return Source(SourceKind.FILE, self.source.path, entry.line)


class _Builder:
    """The environment being built, source after source."""

    __slots__ = ("declared", "overruled", "variables")

    def __init__(self, declared: set[str]) -> None:
        self.declared = declared
        self.variables: dict[str, Variable] = {}
        self.overruled: dict[str, list[Overruling]] = {}

    def target(self, name: str) -> str | None:
        """The variable a NAME_FILE reference defines, or None for an ordinary variable."""
        base = name[: -len(REFERENCE_SUFFIX)]
        if name.endswith(REFERENCE_SUFFIX) and base and base in self.declared:
            return base
        return None

    def lose(self, name: str, source: Source) -> None:
        self.overruled.setdefault(name, []).append(Overruling(source, Overruled.DEFINED_EARLIER))

    def add_source(self, origin: _Origin) -> None:
        _check_unique(origin, self.target)
        for entry in origin.entries:
            where = origin.at(entry)
            target = self.target(entry.name)
            head = target or entry.name
            if target is not None:
                where = _reference_source(entry, where)
            if head in self.variables:
                self.lose(head, where)
                continue
            value = entry.value if target is None else _read_reference(where)
            try:
                pairs = expand(head, value)
            except DecodeError as error:
                raise ConfigError(f"{where}: {head}: {error}") from None
            for name, value in pairs:
                if name in self.variables:
                    self.lose(name, where)
                    continue
                check_value(name, value, where)
                self.variables[name] = Variable(name, value, where, origin.startup_only)


def _read_reference(where: Source) -> str:
    assert where.path is not None
    try:
        return read_value_file(where.path)
    except OSError as error:
        reason = error.strerror or str(error)
        raise ConfigError(
            f"{where.origin}: {where.via}: cannot read {where.path}: {reason}"
        ) from None


def _reference_source(entry: Entry, where: Source) -> Source:
    if not isinstance(entry.value, str):
        raise ConfigError(f"{where}: {entry.name}: a file reference must be a path")
    path = Path(entry.value)
    if not path.is_absolute():
        raise ConfigError(f"{where}: {entry.name}: {entry.value!r} is not an absolute path")
    return Source(SourceKind.FILE_REFERENCE, path, via=entry.name, origin=where)


def _check_unique(origin: _Origin, target_of: Callable[[str], str | None]) -> None:
    """A name defined twice by one source (directly, by a reference, or by a list's rows)."""
    seen: dict[str, Entry] = {}
    for entry in origin.entries:
        target = target_of(entry.name)
        if target is not None:
            names = [target]
        elif isinstance(entry.value, str) and not entry.value.startswith("#"):
            names = [entry.name]
        else:
            try:
                names = [name for name, _ in expand(entry.name, entry.value)]
            except DecodeError as error:
                raise ConfigError(f"{origin.at(entry)}: {entry.name}: {error}") from None
        for name in names:
            first = seen.setdefault(name, entry)
            if first is not entry:
                raise ConfigError(f"{origin.at(entry)}: {_twice(name, first, entry)}")


def _twice(name: str, first: Entry, second: Entry) -> str:
    if first.name == name or second.name == name:
        both = sorted({first.name, second.name})
        return f"both {both[0]} and {both[1]} define {name}; set only one"
    return f"{name} is defined by both {first.name} and {second.name}"


def process_origin(process_env: Mapping[str, str]) -> _Origin:
    return _Origin([Entry(name, value) for name, value in process_env.items()], PROCESS)


def file_origin(env_file: EnvFile) -> _Origin:
    where = str(env_file.relative)
    if env_file.format is FileFormat.INVALID:
        raise ConfigError(
            f"{where}: not an environment file: name it *.yaml, *.yml, *.json, "
            "or after the variable it sets (letters, digits and _, not starting with a digit)"
        )
    source = Source(SourceKind.FILE, env_file.relative)
    try:
        data = env_file.path.read_bytes()
    except OSError as error:
        raise ConfigError(f"{where}: cannot read: {error.strerror}") from None
    if env_file.format is FileFormat.PLAIN:
        entries = [Entry(env_file.path.name, _plain_value(data))]
    else:
        entries = _parse(data, env_file.format, where)
    return _Origin(entries, source, env_file.startup_only)


def _plain_value(data: bytes) -> str:
    return strip_newline(data.decode("utf-8", "surrogateescape"))


def _parse(data: bytes, fmt: FileFormat, where: str) -> list[Entry]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ConfigError(f"{where}:{line}: not UTF-8 text") from None
    try:
        if fmt is FileFormat.YAML:
            from .yamlload import parse_yaml  # only when there is YAML: PyYAML is slow to import

            return parse_yaml(text)
        from .jsonload import parse_json

        return parse_json(text)
    except ParseProblem as problem:
        at = f":{problem.line}" if problem.line is not None else ""
        raise ConfigError(f"{where}{at}: {problem.reason}") from None


def load(
    layout: Layout, process_env: Mapping[str, str], *, skip_files: bool = False
) -> Environment:
    """Read every source (all files are parsed before anything is decided) -> Environment."""
    origins = [process_origin(process_env)]
    if not skip_files:
        origins += [file_origin(f) for f in discover(layout)]
    builder = _Builder(declared={e.name for o in origins for e in o.entries})
    for origin in origins:
        builder.add_source(origin)
    return Environment(builder.variables.values(), builder.overruled)
