"""`lightbase sv status` lines and the `lightbase health` decision."""

from __future__ import annotations

from typing import Any

import pytest

from lightbase.supervisor.states import State, Want
from lightbase.svcmd import format_status, is_healthy


def _service(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "name": "web",
        "state": "up",
        "pid": 42,
        "uptime": 12.4,
        "restarts": 0,
        "ready": True,
        "want": "up",
        "last_exit": None,
    }
    return {**base, **fields}


@pytest.mark.parametrize(
    ("fields", "line"),
    [
        (
            {},
            "web              up                   pid 42           12s  restarts 0    "
            "last exit: -",
        ),
        (
            {
                "state": "backoff",
                "pid": None,
                "uptime": 0.3,
                "restarts": 7,
                "last_exit": {"code": 1, "signal": None},
            },
            "web              backoff              -                 0s  restarts 7    "
            "last exit: exited 1",
        ),
        (
            {
                "state": "starting",
                "ready": False,
                "uptime": 1.6,
                "restarts": 1,
                "last_exit": {"code": None, "signal": "SIGKILL"},
            },
            "web              starting (not ready) pid 42            2s  restarts 1    "
            "last exit: killed by SIGKILL",
        ),
        (
            {
                "name": "a-much-longer-name",
                "state": "down",
                "pid": None,
                "uptime": 3600,
                "want": "down",
                "ready": False,
                "last_exit": {"code": 0, "signal": None},
            },
            "a-much-longer-name down                 -              3600s  restarts 0    "
            "last exit: exited 0",
        ),
    ],
)
def test_format_status_lines(fields: dict[str, Any], line: str) -> None:
    assert format_status(_service(**fields)) == line


def _status(state: State, want: Want, ready: bool, phase: str = "running") -> dict[str, Any]:
    return {
        "ok": True,
        "phase": phase,
        "services": [_service(state=state.value, want=want.value, ready=ready)],
    }


# Healthy exactly when the service is not failed and is either ready or not wanted.
_HEALTH = {
    (state, want): state is not State.FAILED and (want is Want.DOWN or state is State.UP)
    for state in State
    for want in Want
}


@pytest.mark.parametrize(
    ("state", "want"),
    [(s, w) for s in State for w in Want],
    ids=[f"{s.value}-want-{w.value}" for s in State for w in Want],
)
def test_health_of_every_state_and_want(state: State, want: Want) -> None:
    # Only an `up` service is ready (the runner sets `ready` when it enters UP).
    healthy, problems = is_healthy(_status(state, want, ready=state is State.UP))
    assert healthy is _HEALTH[(state, want)]
    if healthy:
        assert problems == []
    elif state is State.FAILED:
        assert problems == ["web failed"]
    else:
        assert problems == [f"web is {state.value}"]


def test_the_healthy_combinations_written_out() -> None:
    assert sorted((s.value, w.value) for (s, w), ok in _HEALTH.items() if ok) == [
        ("backoff", "down"),
        ("down", "down"),
        ("finished", "down"),
        ("finishing", "down"),
        ("starting", "down"),
        ("stopping", "down"),
        ("up", "down"),
        ("up", "once"),
        ("up", "up"),
        ("waiting", "down"),
    ]


def test_a_ready_service_that_is_being_restarted_still_counts_as_healthy() -> None:
    assert is_healthy(_status(State.STOPPING, Want.UP, ready=True)) == (True, [])


@pytest.mark.parametrize(
    ("phase", "problem"),
    [("startup", "lightbase is still starting"), ("stopping", "lightbase is stopping")],
)
def test_not_healthy_outside_the_running_phase(phase: str, problem: str) -> None:
    assert is_healthy(_status(State.UP, Want.UP, ready=True, phase=phase)) == (False, [problem])


def test_every_problem_is_listed() -> None:
    status = {
        "ok": True,
        "phase": "running",
        "services": [
            _service(name="db", state="failed", ready=False, want="down"),
            _service(name="web", state="backoff", ready=False, want="up"),
            _service(name="cache", state="up", ready=True, want="up"),
        ],
    }
    assert is_healthy(status) == (False, ["db failed", "web is backoff"])


def test_no_services_while_running_is_healthy() -> None:
    assert is_healthy({"ok": True, "phase": "running", "services": []}) == (True, [])
