"""Pure functions for the `sv` shim: runit-style status lines and "has it taken effect".

A status record is one entry of the control socket's `status` reply:
`{"name", "state", "pid", "uptime", "restarts", "ready", "want", "last_exit"}`.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any

Status = Mapping[str, Any]

RUNNING_STATES = frozenset({"starting", "up"})  # a process runs and is wanted
STOPPED_STATES = frozenset({"down", "finished", "failed"})


class Goal(Enum):
    """What a waiting command waits for."""

    UP = "up"  # running and ready
    DOWN = "down"  # not running
    RESTARTED = "restarted"  # running and ready as a new process
    REQUESTED = "requested"  # whatever the service's `want` says (`sv check`)


def is_running(status: Status) -> bool:
    return status.get("state") in RUNNING_STATES


def is_ready(status: Status) -> bool:
    return is_running(status) and bool(status.get("ready"))


def is_stopped(status: Status) -> bool:
    return status.get("state") in STOPPED_STATES


def reached(goal: Goal, status: Status, before: Status | None = None) -> bool:
    """Has `status` reached `goal`? `before` is the status when the command was sent."""
    if goal is Goal.UP:
        return is_ready(status)
    if goal is Goal.DOWN:
        return is_stopped(status)
    if goal is Goal.RESTARTED:
        if not is_ready(status):
            return False
        if before is None:
            return True
        return (
            status.get("pid") != before.get("pid")
            or status.get("restarts", 0) != before.get("restarts", 0)
            or not is_running(before)
        )
    want = status.get("want")
    if want == "down":
        return is_stopped(status)
    if want == "once":
        return is_ready(status) or status.get("state") in ("finished", "down")
    return is_ready(status)


def status_line(label: str, status: Status) -> str:
    """`run: LABEL: (pid 109) 253s` / `down: LABEL: 3s, normally up` as runit's sv prints."""
    seconds = int(max(float(status.get("uptime") or 0), 0))
    state = status.get("state")
    want = status.get("want")
    if state in RUNNING_STATES or state == "stopping":
        pid = status.get("pid")
        text = f"run: {label}: (pid {pid}) {seconds}s" if pid else f"run: {label}: {seconds}s"
        if state == "stopping":
            return text + ", want down, got TERM"
        if want == "down":
            text += ", want down"
        if not status.get("ready"):
            text += ", not ready"
        return text
    # Every lightbase service starts with the container: runit calls that "normally up".
    text = f"down: {label}: {seconds}s, normally up"
    if want == "up" or state == "backoff":
        text += ", want up"
    return text
