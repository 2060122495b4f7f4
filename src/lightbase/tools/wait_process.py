"""wait-process: wait until startup is done and the named services or processes run."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable
from pathlib import Path

from ..control import ControlError
from ..errors import LightbaseError, UsageError
from ..layout import Layout
from ._cli import parse_seconds, run, take_value
from .supervisor_client import POLL_INTERVAL, Client, wait_for
from .sv_status import Goal, Status, is_ready

NAME = "wait-process"
DEFAULT_TIMEOUT = 60.0

HELP = """
usage: wait-process [--timeout SEC] NAME...

Wait until the container's startup is done (STATE/startup-done exists) and every NAME is
running, then exit 0. A NAME that is a lightbase service must be running and ready
(service.yaml `ready:`), as the supervisor reports through its control socket; any other
NAME must be a process whose command name (/proc/PID/comm) or argv[0] file name is NAME.
When lightbase is not running (no control socket), every NAME is looked for as a process.

Do not call it from a startup.sh: startup is done only after every startup.sh finished.

options:
  --timeout SEC   give up after SEC seconds (default 60; 0: check once, do not wait)

environment:
  CONTAINER_ROOT, CONTAINER_RUN_DIR, CONTAINER_STATE_DIR   where startup-done and
                  control.sock are (defaults /container, ROOT/run, RUN/state)

exit codes:
  0  startup is done and every NAME runs
  1  timeout; the message names what was missing
  2  wrong usage
"""


def parse(args: list[str]) -> tuple[float, list[str]]:
    timeout = DEFAULT_TIMEOUT
    names: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--timeout" or arg == "-t":
            timeout = parse_seconds(take_value(args, index, arg), arg)
            index += 2
            continue
        if arg.startswith("--timeout="):
            timeout = parse_seconds(arg.partition("=")[2], "--timeout")
        elif arg == "--":
            names.extend(args[index + 1 :])
            break
        elif arg.startswith("-") and arg != "-":
            raise UsageError(f"unknown option {arg!r}")
        else:
            names.append(arg)
        index += 1
    if not names:
        raise UsageError("usage: wait-process [--timeout SEC] NAME...")
    return timeout, names


def process_names(proc: Path = Path("/proc")) -> set[str]:
    """The command names and argv[0] file names of every process but this one."""
    found: set[str] = set()
    me = str(os.getpid())
    for entry in proc.iterdir():
        if not entry.name.isdigit() or entry.name == me:
            continue
        try:
            found.add((entry / "comm").read_text().rstrip("\n"))
            argv0 = (entry / "cmdline").read_bytes().split(b"\0", 1)[0]
        except OSError:
            continue  # it exited while we looked
        if argv0:
            found.add(os.path.basename(argv0.decode("utf-8", "replace")))
    return found


def missing_processes(names: Iterable[str], running: set[str]) -> list[str]:
    # The kernel keeps 15 characters of the command name.
    return [n for n in names if n not in running and n[:15] not in running]


def _wait_startup(layout: Layout, deadline: float) -> None:
    while not layout.startup_done.exists():
        if time.monotonic() >= deadline:
            raise LightbaseError(f"timeout: startup is not done (no {layout.startup_done})")
        time.sleep(POLL_INTERVAL)


def _services(client: Client) -> dict[str, Status]:
    try:
        return client.statuses()
    except ControlError:
        return {}  # lightbase is not running: every name is a process


def _describe(name: str, status: Status | None) -> str:
    if status is None:
        return f"{name} (no such process)"
    return f"{name} (service {status.get('state')}, not ready)"


def wait(layout: Layout, names: list[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    _wait_startup(layout, deadline)
    client = Client(layout.control_socket)
    statuses = _services(client)
    services = [n for n in names if n in statuses]
    processes = [n for n in names if n not in statuses]
    if services:
        statuses = wait_for(client, Goal.UP, services, {}, max(deadline - time.monotonic(), 0))
    missing = missing_processes(processes, process_names())
    while missing and time.monotonic() < deadline:
        time.sleep(min(POLL_INTERVAL, max(deadline - time.monotonic(), 0)))
        missing = missing_processes(missing, process_names())
    not_ready = [n for n in services if not is_ready(statuses.get(n, {}))]
    if not_ready or missing:
        what = [_describe(n, statuses.get(n, {})) for n in not_ready]
        what += [_describe(n, None) for n in missing]
        raise LightbaseError(f"timeout after {timeout:g} s: not running: {', '.join(what)}")


def _body(args: list[str]) -> int:
    timeout, names = parse(args)
    wait(Layout.resolve(os.environ), names, timeout)
    return 0


def main(argv: list[str] | None = None) -> int:
    return run(NAME, HELP, _body, argv)


if __name__ == "__main__":
    sys.exit(main())
