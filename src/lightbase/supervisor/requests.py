"""What the control socket can ask of the supervisor: status, commands, signals, waits.

One handler per request kind; replies follow the protocol in docs/supervision.md. A
`wait-ready` request is parked until its services are ready or its timeout is due, so the
loop never blocks on a client.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..services import parse_signal
from .control_server import Reply
from .loop import Timer
from .runner import Runner
from .states import Event, Phase, Want

if TYPE_CHECKING:
    from .core import Supervisor

# During startup nothing runs yet: a command only records what the service will get.
_STARTUP_WANTS = {
    "up": Want.UP,
    "restart": Want.UP,
    "once": Want.ONCE,
    "down": Want.DOWN,
    "stop": Want.DOWN,
}

_COMMANDS = {
    "up": Event.WANT_UP,
    "down": Event.WANT_DOWN,
    "stop": Event.WANT_DOWN,
    "once": Event.WANT_ONCE,
    "restart": Event.WANT_RESTART,
}


class Requests:
    def __init__(self, supervisor: Supervisor) -> None:
        self.supervisor = supervisor
        self._waiters: list[tuple[list[str], Reply, Timer]] = []

    def handle(self, request: dict[str, Any], reply: Reply) -> None:
        sup = self.supervisor
        cmd = request.get("cmd")
        names = request.get("names") or []
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            reply({"ok": False, "error": "names must be a list of service names"})
            return
        unknown = [n for n in names if n not in sup.runners]
        if unknown:
            reply({"ok": False, "error": f"no such service: {', '.join(unknown)}"})
            return
        selected = [sup.runners[n] for n in names] if names else list(sup.runners.values())
        if cmd == "status":
            reply(self.status(selected))
        elif cmd in _COMMANDS:
            self._command(cmd, selected, reply)
        elif cmd == "signal":
            self._signal(selected, request.get("signal"), reply)
        elif cmd == "wait-ready":
            self._wait_ready(selected, request.get("timeout"), reply)
        else:
            reply({"ok": False, "error": f"unknown command {cmd!r}"})

    def status(self, runners: Sequence[Runner]) -> dict[str, Any]:
        phase = self.supervisor.phase.value
        return {"ok": True, "phase": phase, "services": [r.status() for r in runners]}

    def _command(self, cmd: str, runners: Sequence[Runner], reply: Reply) -> None:
        sup = self.supervisor
        if sup.shutting_down and cmd in ("up", "once", "restart"):
            reply({"ok": False, "error": "the container is stopping"})
            return
        for runner in runners:
            if sup.phase is Phase.STARTUP:
                runner.want = _STARTUP_WANTS[cmd]
            else:
                runner.handle(_COMMANDS[cmd])
        reply({"ok": True})

    def _signal(self, runners: Sequence[Runner], name: object, reply: Reply) -> None:
        try:
            signum = parse_signal(name)
        except ValueError as exc:
            reply({"ok": False, "error": str(exc)})
            return
        for runner in runners:
            runner.signal_group(signum)
        reply({"ok": True})

    def _wait_ready(self, runners: Sequence[Runner], timeout: object, reply: Reply) -> None:
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout < 0:
            reply({"ok": False, "error": "timeout must be a number of seconds"})
            return
        if self._all_ready(runners):
            reply({"ok": True})
            return
        entry: tuple[list[str], Reply, Timer]

        def expire() -> None:
            self._waiters.remove(entry)
            not_ready = [r.status() for r in runners if not r.ready]
            reply({"ok": False, "error": "timeout", "services": not_ready})

        names = [r.name for r in runners]
        entry = (names, reply, self.supervisor.loop.call_later(float(timeout), expire))
        self._waiters.append(entry)

    def _all_ready(self, runners: Sequence[Runner]) -> bool:
        return self.supervisor.phase is not Phase.STARTUP and all(r.ready for r in runners)

    def readiness_changed(self) -> None:
        """Answer the parked waits whose services are all ready now."""
        runners = self.supervisor.runners
        for entry in list(self._waiters):
            names, reply, timer = entry
            if self._all_ready([runners[n] for n in names]):
                timer.cancel()
                self._waiters.remove(entry)
                reply({"ok": True})
