"""Which files under ROOT/environment/ are environment files, in which order, of which kind.

Order: by relative path, compared directory by directory and by code point (never the
filesystem's order, never the locale's): `01-custom/x.yaml` before `99-default/x.yaml`,
and a directory's files before a sibling whose name extends the directory's name.
Ignored: hidden files and directories (`.name`, which also skips Kubernetes' `..data`
ConfigMap internals), editor backups and swap files (`name~`, `#name#`, `*.swp`, `*.swo`).
Symbolic links are followed (ConfigMap and Secret mounts are made of them).
"""

from __future__ import annotations

import contextlib
import os
import re
from enum import Enum
from pathlib import Path
from typing import NamedTuple

from ..errors import ConfigError
from ..layout import Layout

STARTUP_DIR = "startup"
STARTUP_SUFFIXES = (".startup.yaml", ".startup.yml", ".startup.json")
_SHELL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*", re.ASCII)


class FileFormat(Enum):
    YAML = "yaml"
    JSON = "json"
    PLAIN = "plain"  # the file is named after the variable and holds its value
    INVALID = "invalid"  # a name that is none of the above (an error when loading)


class EnvFile(NamedTuple):
    path: Path  # absolute
    relative: Path  # to the container root, for messages and provenance
    format: FileFormat
    startup_only: bool


def is_shell_name(name: str) -> bool:
    return _SHELL_NAME.fullmatch(name) is not None


def is_ignored(name: str) -> bool:
    return (
        name.startswith(".")
        or name.endswith(("~", ".swp", ".swo"))
        or (name.startswith("#") and name.endswith("#"))
    )


def file_format(name: str) -> FileFormat:
    if name.endswith((".yaml", ".yml")):
        return FileFormat.YAML
    if name.endswith(".json"):
        return FileFormat.JSON
    return FileFormat.PLAIN if is_shell_name(name) else FileFormat.INVALID


def discover(layout: Layout) -> list[EnvFile]:
    """Every environment file, in precedence order (first wins); no directory, no files."""
    top = layout.environment_dir
    found: list[tuple[tuple[str, ...], Path]] = []
    try:
        _walk(top, (), found, set())
    except _NotRegularFile as error:
        raise ConfigError(f"{error.path.relative_to(layout.root)}: not a regular file") from None
    except OSError as error:
        where = Path(error.filename or top)
        with contextlib.suppress(ValueError):
            where = where.relative_to(layout.root)
        raise ConfigError(f"{where}: cannot read: {error.strerror}") from None
    found.sort(key=lambda item: item[0])
    return [
        EnvFile(
            path=path,
            relative=path.relative_to(layout.root),
            format=file_format(parts[-1]),
            startup_only=_is_startup(parts),
        )
        for parts, path in found
    ]


class _NotRegularFile(Exception):
    def __init__(self, path: Path) -> None:
        self.path = path


def _is_startup(parts: tuple[str, ...]) -> bool:
    return (len(parts) > 1 and parts[0] == STARTUP_DIR) or parts[-1].endswith(STARTUP_SUFFIXES)


def _walk(
    directory: Path,
    parts: tuple[str, ...],
    found: list[tuple[tuple[str, ...], Path]],
    seen: set[tuple[int, int]],
) -> None:
    try:
        info = directory.stat()
        entries = list(os.scandir(directory))
    except FileNotFoundError:
        return  # no environment directory (or one removed while we read): no files
    identity = (info.st_dev, info.st_ino)
    if identity in seen:
        return  # a symbolic link loop
    seen.add(identity)
    for entry in entries:
        if is_ignored(entry.name):
            continue
        path = directory / entry.name
        if entry.is_dir():  # follows links
            _walk(path, (*parts, entry.name), found, seen)
        elif entry.is_file() or not path.exists():  # a dangling link: reading it says so
            found.append(((*parts, entry.name), path))
        else:  # opening a FIFO would block the boot for ever; a socket cannot be read
            raise _NotRegularFile(path)
