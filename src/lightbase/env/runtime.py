"""What happens to the environment at startup: variables scripts pass on, startup-only files.

A startup script passes a variable to later scripts and to the processes by writing
RUN/environment/NAME. `collect_runtime` compares that directory with the environment last
exported: a new file or a changed content defines NAME (one trailing newline removed,
unless the file holds exactly the exported value), a deleted file removes NAME. The rows of
an old list stay unless their files are deleted too.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from ..errors import ConfigError
from ..layout import Layout
from .complex import DecodeError, expand
from .export import is_file_name
from .files import discover
from .model import Environment, Overruled, Overruling, Source, SourceKind, Variable
from .values import check_value, encode, strip_newline


def _display(path: Path, layout: Layout) -> Path:
    try:
        return path.relative_to(layout.root)
    except ValueError:
        return path  # a run dir outside the container root


def _written_files(directory: Path) -> dict[str, bytes] | None:
    """Content of each variable file; None when the directory was never exported."""
    found: dict[str, bytes] = {}
    try:
        entries = list(os.scandir(directory))
    except FileNotFoundError:
        return None
    for entry in entries:
        if is_file_name(entry.name) and entry.is_file():
            with open(entry.path, "rb") as handle:
                found[entry.name] = handle.read()
    return found


def collect_runtime(env: Environment, layout: Layout) -> Environment:
    """`env` with the changes startup scripts made in RUN/environment/ (see module docstring)."""
    written = _written_files(layout.env_files_dir)
    if written is None:
        return env
    variables = dict(env)
    overruled = {name: list(items) for name, items in env.overruled_map().items()}

    def overrule(name: str, reason: Overruled) -> None:
        overruled.setdefault(name, []).append(Overruling(variables.pop(name).source, reason))

    for name in [n for n in variables if is_file_name(n) and n not in written]:
        overrule(name, Overruled.DELETED_AT_STARTUP)
    explicit: dict[str, Variable] = {}
    generated: dict[str, Variable] = {}
    for name in sorted(written):
        data = written[name]
        if name in variables and encode(variables[name].value) == data:
            continue
        source = Source(SourceKind.RUNTIME, _display(layout.env_files_dir / name, layout))
        value = strip_newline(data.decode("utf-8", "surrogateescape"))
        try:
            pairs = expand(name, value)
        except DecodeError as error:
            raise ConfigError(f"{source}: {name}: {error}") from None
        for index, (pair_name, pair_value) in enumerate(pairs):
            check_value(pair_name, pair_value, source)
            target = explicit if index == 0 else generated
            target.setdefault(pair_name, Variable(pair_name, pair_value, source))
    # A file written for a name beats a row generated from another file's list.
    for name, variable in {**generated, **explicit}.items():
        if name in variables:
            overrule(name, Overruled.REPLACED_AT_STARTUP)
        variables[name] = variable
    return Environment(variables.values(), overruled)


def remove_startup_files(layout: Layout, *, warn: Callable[[str], None]) -> None:
    """Delete the startup-only environment files; a file that cannot be deleted (read-only
    mount) is a warning: its variables are kept from the processes all the same."""
    for env_file in discover(layout):
        if not env_file.startup_only:
            continue
        try:
            os.unlink(env_file.path)
        except FileNotFoundError:
            pass
        except OSError as error:
            warn(
                f"cannot delete {env_file.relative} ({error.strerror}); its variables are "
                "still kept from the processes' environment"
            )
