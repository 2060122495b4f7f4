"""Write the environment for scripts and tools: environment.sh, environment/NAME, environment.json.

Every file is 0640 and replaced atomically (a hidden temporary file in the same directory,
then rename), so a reader sees the old or the new content, never a mix. The per-variable
directory is 0700; only files whose content changed are rewritten, and files of variables
that are gone are removed. Values are written byte for byte (bytes that are not UTF-8, as
the process environment may carry them, pass through unchanged).

A name that is not a shell identifier (`a.b`, `x-y`) is left out of environment.sh with a
warning (no `export` can set it), but kept in environment.json and, when it can be a file
name (no `/`, not starting with `.`), in environment/.
"""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import Callable, Mapping
from pathlib import Path

from ..layout import Layout
from .files import is_ignored, is_shell_name
from .model import Environment
from .values import encode

FILE_MODE = 0o640
DIR_MODE = 0o700
_TEMP_PREFIX = ".lightbase-"
_TEMP_SUFFIX = ".tmp"
_counter = itertools.count()


def sh_quote(value: str) -> str:
    """Single-quoted for sh/bash: exact for every value (no expansion happens inside '')."""
    return "'" + value.replace("'", "'\\''") + "'"


def is_file_name(name: str) -> bool:
    return "/" not in name and not is_ignored(name)


def write_atomic(path: Path, data: bytes, mode: int = FILE_MODE) -> None:
    """Replace `path` with `data` in one rename. No fsync: run-time files need not survive a
    crash of the machine, only never be seen half written."""
    temp = path.parent / f"{_TEMP_PREFIX}{path.name}.{os.getpid()}.{next(_counter)}{_TEMP_SUFFIX}"
    with contextlib.suppress(FileNotFoundError):
        temp.unlink()  # left by a killed run whose PID was the same (PID 1, every time)
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
    try:
        os.fchmod(fd, mode)  # exact mode whatever the umask
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.close(fd)
        fd = -1
        os.replace(temp, path)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        with contextlib.suppress(OSError):
            temp.unlink()
        raise


def render_sh(values: Mapping[str, str]) -> str:
    return "".join(f"export {name}={sh_quote(values[name])}\n" for name in sorted(values))


def render_json(values: Mapping[str, str]) -> str:
    import json  # not needed to load an environment, only to write one

    # ASCII escapes keep the file valid JSON even for values with non-UTF-8 bytes.
    return json.dumps(dict(sorted(values.items())), indent=2, ensure_ascii=True) + "\n"


def export(env: Environment, layout: Layout, *, warn: Callable[[str], None]) -> None:
    """Write the three artifacts for `env` (creating the run dir if needed); idempotent."""
    values = env.as_dict()
    layout.run_dir.mkdir(parents=True, exist_ok=True)
    shell = {}
    for name, value in values.items():
        if is_shell_name(name):
            shell[name] = value
            continue
        left_out = "environment.sh" if is_file_name(name) else "environment.sh and environment/"
        warn(f"variable {name!r} is not a shell identifier: left out of {left_out}")
    write_atomic(layout.env_sh, encode(render_sh(shell)))
    write_atomic(layout.env_json, render_json(values).encode("ascii"))
    sync_directory(layout.env_files_dir, {n: v for n, v in values.items() if is_file_name(n)})


def sync_directory(directory: Path, values: Mapping[str, str]) -> None:
    """Make `directory` hold exactly one file per value (other entries than regular,
    non-hidden files are left alone)."""
    directory.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    os.chmod(directory, DIR_MODE)
    for entry in os.scandir(directory):
        if entry.name.startswith(_TEMP_PREFIX) and entry.name.endswith(_TEMP_SUFFIX):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(entry.path)  # left by a killed run
        elif entry.name not in values and is_file_name(entry.name) and entry.is_file():
            os.unlink(entry.path)
    for name, value in values.items():
        path = directory / name
        data = encode(value)
        if _current(path) != data or _mode(path) != FILE_MODE:
            write_atomic(path, data)


def _current(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


def _mode(path: Path) -> int | None:
    try:
        return path.lstat().st_mode & 0o7777
    except FileNotFoundError:
        return None
