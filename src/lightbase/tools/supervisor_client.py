"""The supervisor as the sv shim and wait-process see it: statuses and waiting on them."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import Any

from ..control import ControlError, request
from .sv_status import Goal, Status, reached

REQUEST_TIMEOUT = 5.0
# Only "not running" has no event to wait on (wait-ready covers the rest); a tenth of a
# second keeps `sv stop` prompt without loading the supervisor.
POLL_INTERVAL = 0.1


class Client:
    """The supervisor's control socket: requests and the status of every service."""

    def __init__(self, socket_path: Path) -> None:
        self.socket = socket_path

    def ask(self, message: dict[str, Any], timeout: float = REQUEST_TIMEOUT) -> dict[str, Any]:
        return request(self.socket, message, timeout)

    def statuses(self) -> dict[str, Status]:
        reply = self.ask({"cmd": "status", "names": []})
        if not reply.get("ok"):
            raise ControlError(str(reply.get("error") or "status request refused"))
        return {s["name"]: s for s in reply.get("services", []) if isinstance(s, dict)}


def wait_for(
    client: Client, goal: Goal, names: list[str], before: dict[str, Status], seconds: float
) -> dict[str, Status]:
    """Poll until every name reached `goal` or `seconds` passed; the last statuses."""
    deadline = time.monotonic() + seconds
    while True:
        statuses = client.statuses()
        pending = [
            n for n in names if n in statuses and not reached(goal, statuses[n], before.get(n))
        ]
        remaining = deadline - time.monotonic()
        if not pending or remaining <= 0:
            return statuses
        started = time.monotonic()
        if goal is not Goal.DOWN:
            _wait_ready(client, pending, remaining)
        if time.monotonic() - started < POLL_INTERVAL:
            time.sleep(min(POLL_INTERVAL, max(deadline - time.monotonic(), 0)))


def _wait_ready(client: Client, names: list[str], timeout: float) -> None:
    """Let the supervisor tell us when they are ready, instead of polling for it."""
    # A failure here is reported by the next status request.
    with contextlib.suppress(ControlError):
        client.ask({"cmd": "wait-ready", "names": names, "timeout": timeout}, timeout + 1.0)
