"""Running the build-time scripts of service directories (install.sh, download.sh).

A script runs directly when it is executable, else with the interpreter its `#!` line
names (so a `#!/bin/bash` script that lost its mode bit in a COPY still runs as bash),
else with /bin/sh. It runs in its own directory; stdout and stderr are the caller's.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Mapping
from pathlib import Path

from ..errors import LightbaseError

DEFAULT_SHELL = "/bin/sh"


def script_command(path: Path) -> list[str]:
    """The argv that runs `path`."""
    if os.access(path, os.X_OK):
        return [str(path)]
    try:
        with path.open("rb") as handle:
            first = handle.readline(256)
    except OSError as exc:
        raise LightbaseError(f"{path}: cannot read: {exc.strerror}") from None
    if first.startswith(b"#!"):
        # Like the kernel: the interpreter, then at most one argument (the rest of the line).
        interpreter, _, argument = first[2:].decode("utf-8", "replace").strip().partition(" ")
        if interpreter:
            return [interpreter, *([argument.strip()] if argument.strip() else []), str(path)]
    return [DEFAULT_SHELL, str(path)]


def run_script(path: Path, display: str, environ: Mapping[str, str]) -> None:
    """Run `path`; LightbaseError naming `display` and carrying the script's exit code."""
    command = script_command(path)
    try:
        result = subprocess.run(command, cwd=path.parent, env=dict(environ), check=False)
    except OSError as exc:
        raise LightbaseError(f"{display}: cannot run {command[0]}: {exc.strerror}", 126) from None
    code = result.returncode
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        raise LightbaseError(f"{display} was killed by {name}", 128 - code)
    if code != 0:
        raise LightbaseError(f"{display} failed with exit code {code}", code)
