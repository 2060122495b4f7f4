"""install-service: run the install.sh scripts of the service directories at image build."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ..errors import UsageError
from ..layout import Layout
from ..log import Level, Logger
from ._cli import run, take_value
from .build_scripts import run_script

NAME = "install-service"
SCRIPT = "install.sh"

HELP = """
usage: install-service [--root DIR] [--keep]

Run ROOT/service/install.sh (when present), then ROOT/service/*/install.sh in name order,
each in its own directory, with the caller's environment plus CONTAINER_ROOT. Meant for a
Containerfile `RUN` step: the first script that fails stops the build with its name and its
exit code. Each script is removed after it succeeded, so none ships in the image and a
second run does nothing. A script without the executable bit runs with the interpreter of
its #! line (or /bin/sh).

options:
  --root DIR   the container root (default: $CONTAINER_ROOT, else /container)
  --keep       do not remove the scripts

exit codes:
  0    every script succeeded (or there was none)
  2    wrong usage
  N    the exit code of the failing script (128+SIGNAL when it was killed)
"""


def install_scripts(service_dir: Path) -> list[Path]:
    """service/install.sh first, then service/NAME/install.sh by NAME."""
    scripts = [service_dir / SCRIPT] if (service_dir / SCRIPT).is_file() else []
    if service_dir.is_dir():
        for entry in sorted(service_dir.iterdir()):
            if entry.is_dir() and not entry.name.startswith(".") and (entry / SCRIPT).is_file():
                scripts.append(entry / SCRIPT)
    return scripts


def install(layout: Layout, keep: bool, logger: Logger) -> int:
    scripts = install_scripts(layout.service_dir)
    if not scripts:
        logger.info(f"{NAME}: no install.sh under {layout.service_dir}")
    environ = {**os.environ, **layout.variables()}
    for script in scripts:
        display = str(script.relative_to(layout.root))
        logger.info(f"{NAME}: running {display}")
        run_script(script, display, environ)
        if not keep:
            script.unlink()
    return 0


def _body(args: list[str]) -> int:
    root: str | None = None
    keep = False
    index = 0
    while index < len(args):
        if args[index] == "--root":
            root = take_value(args, index, "--root")
            index += 1
        elif args[index] == "--keep":
            keep = True
        else:
            raise UsageError(f"unexpected argument {args[index]!r} (see install-service --help)")
        index += 1
    return install(Layout.resolve(os.environ, root=root), keep, Logger(Level.INFO))


def main(argv: list[str] | None = None) -> int:
    return run(NAME, HELP, _body, argv)


if __name__ == "__main__":
    sys.exit(main())
