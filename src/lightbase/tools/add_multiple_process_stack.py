"""add-multiple-process-stack: add cron, syslog-ng, logrotate and runit from service-available."""

from __future__ import annotations

import os
import sys

from ..errors import UsageError
from ..layout import Layout
from ..log import Level, Logger
from ._cli import run, take_value
from .add_service_available import add_services

NAME = "add-multiple-process-stack"
# (service, option that leaves it out)
STACK = (
    ("cron", "--no-cron"),
    ("syslog-ng-core", "--no-syslog-ng"),
    ("logrotate", "--no-logrotate"),
    ("runit", "--no-runit"),
)

HELP = """
usage: add-multiple-process-stack [--root DIR] [--no-cron] [--no-syslog-ng]
                                  [--no-logrotate] [--no-runit]

Add the classic companions of a multi-process image from ROOT/service-available, as
add-service-available does: cron (the cron daemon in the foreground), syslog-ng-core
(syslog on /dev/log, written to the container log), logrotate (rotates syslog-ng's file
daily from cron) and runit (only installs the runit package: for `--supervisor runit` or
its real `sv`). Their download.sh scripts install the packages with apt-get or apk. A
service already in ROOT/service is left as it is. Run install-service afterwards.

options:
  --root DIR       the container root (default: $CONTAINER_ROOT, else /container)
  --no-cron, --no-syslog-ng, --no-logrotate, --no-runit
                   leave that service out

exit codes:
  0    added (or already there)
  1    a companion is missing from service-available
  2    wrong usage
  N    the exit code of a failing download.sh
"""


def _body(args: list[str]) -> int:
    root: str | None = None
    skipped: set[str] = set()
    options = {option: service for service, option in STACK}
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--root":
            root = take_value(args, index, arg)
            index += 1
        elif arg in options:
            skipped.add(options[arg])
        else:
            raise UsageError(f"unexpected argument {arg!r} (see {NAME} --help)")
        index += 1
    layout = Layout.resolve(os.environ, root=root)
    logger = Logger(Level.INFO)
    wanted = []
    for service, _ in STACK:
        if service in skipped:
            continue
        if (layout.service_dir / service).exists():
            logger.info(f"{NAME}: {service} is already a service; left as it is")
        else:
            wanted.append(service)
    if wanted:
        add_services(layout, wanted, logger)
    return 0


def main(argv: list[str] | None = None) -> int:
    return run(NAME, HELP, _body, argv)


if __name__ == "__main__":
    sys.exit(main())
