"""add-service-available: move services from service-available/ into service/."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from ..errors import LightbaseError, UsageError
from ..layout import Layout
from ..log import Level, Logger
from ._cli import run, take_value
from .build_scripts import run_script

NAME = "add-service-available"
DOWNLOAD = "download.sh"

HELP = """
usage: add-service-available [--root DIR] NAME...

Add the services ROOT/service-available/NAME to the image: run each one's download.sh (in
its own directory, with the caller's environment plus CONTAINER_ROOT) to install what it
needs, remove download.sh, and move the directory to ROOT/service/NAME. A NAME may be
written with a leading colon (`:cron`). Run install-service afterwards to run the
install.sh scripts.

Nothing is half done: every NAME is checked before anything runs, and directories are
moved only after every download.sh succeeded.

options:
  --root DIR   the container root (default: $CONTAINER_ROOT, else /container)

exit codes:
  0    every service was added
  1    an unknown NAME (the message lists the available ones), or NAME already in service/
  2    wrong usage
  N    the exit code of a failing download.sh (128+SIGNAL when it was killed)
"""


def available(layout: Layout) -> list[str]:
    directory = layout.service_available_dir
    if not directory.is_dir():
        return []
    return sorted(e.name for e in directory.iterdir() if e.is_dir() and not e.name.startswith("."))


def check_names(layout: Layout, names: Sequence[str]) -> list[str]:
    """The names without their leading colon; an error for any that cannot be added."""
    clean = [name.removeprefix(":") for name in names]
    known = available(layout)
    for name in clean:
        if not name or "/" in name or name in (".", ".."):
            raise UsageError(f"invalid service name {name!r}")
        if clean.count(name) > 1:
            raise UsageError(f"{name} is given twice")
        if (layout.service_dir / name).exists():
            raise LightbaseError(f"{name} is already a service ({layout.service_dir / name})")
        if name not in known:
            choices = ", ".join(known) if known else "none"
            raise LightbaseError(
                f"no service {name!r} in {layout.service_available_dir} (available: {choices})"
            )
    return clean


def add_services(layout: Layout, names: Sequence[str], logger: Logger) -> None:
    """Check, download, then move: the steps of add-service-available for `names`."""
    clean = check_names(layout, names)
    environ = {**os.environ, **layout.variables()}
    downloads = [layout.service_available_dir / n / DOWNLOAD for n in clean]
    downloads = [d for d in downloads if d.is_file()]
    for script in downloads:
        display = str(script.relative_to(layout.root))
        logger.info(f"{NAME}: running {display}")
        run_script(script, display, environ)
    for script in downloads:
        script.unlink()
    layout.service_dir.mkdir(parents=True, exist_ok=True)
    for name in clean:
        _move(layout.service_available_dir / name, layout.service_dir / name)
        logger.info(f"{NAME}: added service {name}")


def _move(source: Path, target: Path) -> None:
    try:
        os.rename(source, target)
    except OSError:
        shutil.move(source, target)  # another file system (e.g. a bind mount)


def parse_root(args: list[str]) -> tuple[str | None, list[str]]:
    """`--root DIR` anywhere before `--`; the rest are names."""
    root: str | None = None
    names: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--root":
            root = take_value(args, index, arg)
            index += 1
        elif arg == "--":
            names.extend(args[index + 1 :])
            break
        elif arg.startswith("-"):
            raise UsageError(f"unknown option {arg!r}")
        else:
            names.append(arg)
        index += 1
    return root, names


def _body(args: list[str]) -> int:
    root, names = parse_root(args)
    if not names:
        raise UsageError("usage: add-service-available [--root DIR] NAME...")
    add_services(Layout.resolve(os.environ, root=root), names, Logger(Level.INFO))
    return 0


def main(argv: list[str] | None = None) -> int:
    return run(NAME, HELP, _body, argv)


if __name__ == "__main__":
    sys.exit(main())
