"""lightbase-sv: runit's `sv` command line, answered by lightbase's supervisor.

Installed as `sv` in images without runit, so service scripts and health checks written for
runit (`sv check /container/run/process/slapd`, `sv status *`) keep working.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from ..control import ControlError
from ..errors import UsageError
from ..layout import Layout
from ._cli import HELP_OPTIONS, parse_seconds
from .supervisor_client import Client, wait_for
from .sv_status import Goal, reached, status_line

NAME = "sv"
DEFAULT_WAIT = 7.0
WAIT_VARIABLE = "SVWAIT"
EXIT_USAGE = 100
MAX_FAILURES = 99

HELP = """
usage: sv [-v] [-w SEC] COMMAND SERVICE...

runit's sv, talking to lightbase's supervisor through its control socket. SERVICE is a
service name or a path whose last component is one (/container/run/process/slapd, ./slapd,
`sv status *` inside run/process); output lines name SERVICE as given.

commands (like runit's, the first letter is enough for the short ones):
  status        print `run: NAME: (pid PID) SECONDSs` or `down: NAME: SECONDSs, normally up`
  up, down, once                   set what the supervisor wants for the service
  pause cont hup alarm interrupt quit 1 2 term kill
                                   send STOP CONT HUP ALRM INT QUIT USR1 USR2 TERM KILL
  exit          same as down (there is no runsv process to end)
  start, stop, restart, shutdown   up, down, restart, down; then wait and report
  reload        hup, then report the status
  force-stop, force-shutdown, force-restart, force-reload
                like stop/restart, and send KILL when the wait times out
  try-restart   restart if running
  check         wait until the service is in the wanted state: running and ready
                (service.yaml `ready:`) for up, not running for down

options:
  -v       wait up to SEC seconds after up, down, once, term, cont, exit; report
           `ok: STATUS` or `timeout: STATUS`
  -w SEC   wait up to SEC seconds instead of 7 (implies -v)

environment:
  SVWAIT              default for -w (seconds, default 7)
  CONTAINER_RUN_DIR   where control.sock is (default CONTAINER_ROOT/run; root /container)
  SVDIR               ignored: services are lightbase's, wherever their directory is

exit codes:
  0       the command was sent to (and, when waiting, took effect for) every service
  1-99    the number of services it failed for (unknown service, timeout, lightbase not
          running), at most 99
  100     wrong usage
"""

SIGNALS = {
    "pause": "STOP",
    "cont": "CONT",
    "hup": "HUP",
    "alarm": "ALRM",
    "interrupt": "INT",
    "quit": "QUIT",
    "1": "USR1",
    "2": "USR2",
    "term": "TERM",
    "kill": "KILL",
}


@dataclass(frozen=True)
class Action:
    """What an sv command asks of the supervisor and what it waits for."""

    cmd: str | None = None  # control-socket command: up, down, once, restart
    signal: str | None = None
    goal: Goal | None = None  # when -v/-w is given
    always_wait: bool = False
    kill_on_timeout: bool = False
    report: bool = False  # print the status without waiting (reload)
    only_if_running: bool = False


_SHORT: dict[str, Action] = {
    "up": Action("up", goal=Goal.UP),
    "down": Action("down", goal=Goal.DOWN),
    "once": Action("once", goal=Goal.UP),
    "exit": Action("down", goal=Goal.DOWN),
    **{name: Action(signal=sig) for name, sig in SIGNALS.items()},
}
_SHORT["term"] = Action(signal="TERM", goal=Goal.REQUESTED)
_SHORT["cont"] = Action(signal="CONT", goal=Goal.REQUESTED)

_LONG: dict[str, Action] = {
    "start": Action("up", goal=Goal.UP, always_wait=True),
    "stop": Action("down", goal=Goal.DOWN, always_wait=True),
    "shutdown": Action("down", goal=Goal.DOWN, always_wait=True),
    "restart": Action("restart", goal=Goal.RESTARTED, always_wait=True),
    "reload": Action(signal="HUP", report=True),
    "force-stop": Action("down", goal=Goal.DOWN, always_wait=True, kill_on_timeout=True),
    "force-shutdown": Action("down", goal=Goal.DOWN, always_wait=True, kill_on_timeout=True),
    "force-restart": Action("restart", goal=Goal.RESTARTED, always_wait=True, kill_on_timeout=True),
    "force-reload": Action("restart", goal=Goal.RESTARTED, always_wait=True, kill_on_timeout=True),
    "try-restart": Action("restart", goal=Goal.RESTARTED, always_wait=True, only_if_running=True),
    "check": Action(goal=Goal.REQUESTED, always_wait=True),
}


def find_action(command: str) -> Action | None:
    """The long commands by name; the others, as runit does, by their first character."""
    if command in _LONG:
        return _LONG[command]
    if command[:1] == "s":  # status, or any word starting with s that is not a long command
        return None
    for name, action in _SHORT.items():
        if command and name[0] == command[0]:
            return action
    raise UsageError(f"unknown command {command!r}")


def service_name(arg: str) -> str:
    """`slapd`, `./slapd`, `/container/run/process/slapd/` -> `slapd`."""
    path = Path(arg)
    if path.name in ("", ".", ".."):
        path = path.absolute().resolve()
    return path.name


@dataclass(frozen=True)
class Options:
    verbose: bool
    wait: float
    command: str
    services: tuple[str, ...]


def parse(args: list[str], environ: dict[str, str]) -> Options:
    verbose = False
    wait_text = environ.get(WAIT_VARIABLE) or ""
    wait = parse_seconds(wait_text, WAIT_VARIABLE) if wait_text else DEFAULT_WAIT
    index = 0
    while index < len(args) and args[index].startswith("-") and args[index] != "-":
        arg = args[index]
        if arg == "-v":
            verbose = True
        elif arg.startswith("-w"):
            value = arg[2:] or (args[index + 1] if index + 1 < len(args) else "")
            index += 0 if arg[2:] else 1
            wait, verbose = parse_seconds(value, "-w"), True
        elif arg == "--":
            index += 1
            break
        else:
            raise UsageError(f"unknown option {arg!r}")
        index += 1
    rest = args[index:]
    if len(rest) < 2:
        raise UsageError("usage: sv [-v] [-w SEC] COMMAND SERVICE...")
    return Options(verbose, wait, rest[0], tuple(rest[1:]))


def _unknown(label: str) -> str:
    return f"fail: {label}: unable to change to service directory: file does not exist"


def _status(client: Client, labels: tuple[str, ...]) -> int:
    statuses = client.statuses()
    failures = 0
    for label in labels:
        status = statuses.get(service_name(label))
        if status is None:
            print(_unknown(label))
            failures += 1
        else:
            print(status_line(label, status))
    return failures


def _send(client: Client, action: Action, name: str) -> str | None:
    """Send the action's request; the error text when the supervisor refused."""
    if action.signal is not None:
        message: dict[str, object] = {"cmd": "signal", "names": [name], "signal": action.signal}
    elif action.cmd is not None:
        message = {"cmd": action.cmd, "names": [name]}
    else:
        return None
    reply = client.ask(message)
    return None if reply.get("ok") else str(reply.get("error") or "refused")


def _control(client: Client, action: Action, options: Options) -> int:
    before = client.statuses()
    failures = 0
    sent: list[tuple[str, str]] = []  # (label, name)
    for label in options.services:
        name = service_name(label)
        if name not in before:
            print(_unknown(label))
            failures += 1
            continue
        if action.only_if_running and before[name].get("state") not in ("starting", "up"):
            continue
        error = _send(client, action, name)
        if error is not None:
            print(f"fail: {label}: {error}")
            failures += 1
            continue
        sent.append((label, name))
    waits = action.always_wait or (options.verbose and action.goal is not None)
    if not (waits or action.report) or not sent:
        return failures
    goal = action.goal or Goal.REQUESTED
    seconds = options.wait if waits else 0.0
    after = wait_for(client, goal, [n for _, n in sent], before, seconds)
    for label, name in sent:
        status = after.get(name)
        if status is None:
            print(_unknown(label))
            failures += 1
        elif action.report or reached(goal, status, before.get(name)):
            print(f"ok: {status_line(label, status)}")
        else:
            failures += 1
            if action.kill_on_timeout:
                client.ask({"cmd": "signal", "names": [name], "signal": "KILL"})
                print(f"kill: {status_line(label, status)}")
            else:
                print(f"timeout: {status_line(label, status)}")
    return failures


def _run(args: list[str]) -> int:
    options = parse(args, dict(os.environ))
    action = find_action(options.command)
    client = Client(Layout.resolve(os.environ).control_socket)
    try:
        if action is None:
            failures = _status(client, options.services)
        else:
            failures = _control(client, action, options)
    except ControlError as exc:
        for label in options.services:
            print(f"fail: {label}: {exc}")
        failures = len(options.services)
    return min(failures, MAX_FAILURES)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] and args[0] in HELP_OPTIONS:
        print(HELP.strip("\n"))
        return 0
    try:
        return _run(args)
    except UsageError as exc:
        print(f"{NAME}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
