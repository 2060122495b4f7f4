"""Readiness probes against real sockets and processes, driven by the real event loop."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lightbase.services import Readiness, ReadyKind
from lightbase.supervisor.loop import EventLoop
from lightbase.supervisor.readiness import (
    CmdProbe,
    NotifyProbe,
    Probe,
    TcpProbe,
    make_probe,
)
from lightbase.supervisor.spawn import spawn

ENV = {"PATH": "/usr/bin:/bin"}


class Calls:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> None:
        self.count += 1


@pytest.fixture
def bound_port() -> Iterator[socket.socket]:
    """A port bound but not listening yet: connections are refused until `listen()`."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    yield sock
    sock.close()


def _rounds(loop: EventLoop, count: int) -> None:
    for _ in range(count):
        loop.call_later(0.02, lambda: None)
        loop.run_once()


def test_started_probe_is_ready_at_once(loop: EventLoop) -> None:
    calls = Calls()
    probe = make_probe(Readiness(), loop, calls, ENV, None)
    assert type(probe) is Probe
    probe.start()
    assert (calls.count, probe.done) == (1, True)


def test_tcp_probe_becomes_ready_once_a_listener_appears(
    loop: EventLoop, bound_port: socket.socket, drive: Any
) -> None:
    port = bound_port.getsockname()[1]
    calls = Calls()
    probe = make_probe(Readiness(ReadyKind.TCP, port=port), loop, calls, ENV, None)
    assert isinstance(probe, TcpProbe)
    probe.start()
    _rounds(loop, 5)
    assert calls.count == 0
    bound_port.listen(1)
    drive(loop, lambda: calls.count > 0, timeout=5.0)
    _rounds(loop, 3)
    assert (calls.count, probe.done) == (1, True)


def test_cancelled_tcp_probe_stops_trying(loop: EventLoop, bound_port: socket.socket) -> None:
    calls = Calls()
    probe = TcpProbe(loop, calls, "127.0.0.1", bound_port.getsockname()[1])
    probe.start()
    probe.cancel()
    bound_port.listen(1)
    _rounds(loop, 30)  # longer than the retry delays up to then
    assert calls.count == 0


def test_cmd_probe_is_ready_when_the_command_exits_zero(
    loop: EventLoop, tmp_path: Path, drive: Any
) -> None:
    flag = tmp_path / "ready"
    calls = Calls()
    readiness = Readiness(ReadyKind.CMD, command=("/bin/sh", "-c", f"test -e {flag}"))
    probe = make_probe(readiness, loop, calls, ENV, None)
    assert isinstance(probe, CmdProbe)
    probe.start()
    _rounds(loop, 5)
    assert calls.count == 0
    flag.touch()
    drive(loop, lambda: calls.count > 0, timeout=5.0)
    assert probe.done


def test_cmd_probe_runs_with_the_service_environment(loop: EventLoop, drive: Any) -> None:
    calls = Calls()
    argv = ("/bin/sh", "-c", 'test "$PROBE_TOKEN" = expected')
    probe = CmdProbe(loop, calls, argv, {**ENV, "PROBE_TOKEN": "expected"})
    probe.start()
    drive(loop, lambda: calls.count > 0, timeout=5.0)


def test_cmd_probe_retries_a_command_that_cannot_run(loop: EventLoop) -> None:
    calls = Calls()
    probe = CmdProbe(loop, calls, ("/nonexistent/check",), ENV)
    probe.start()
    _rounds(loop, 5)
    assert (calls.count, probe.done) == (0, False)
    probe.cancel()


def test_cancelling_a_cmd_probe_kills_the_running_check(loop: EventLoop, drive: Any) -> None:
    calls = Calls()
    probe = CmdProbe(loop, calls, ("sleep", "30"), ENV)
    probe.start()
    proc = probe._proc
    assert proc is not None
    statuses: list[int] = []
    loop.watch_child(proc.pid, statuses.append)  # see the exit status the probe would get
    probe.cancel()
    drive(loop, lambda: bool(statuses), timeout=5.0)
    assert (os.waitstatus_to_exitcode(statuses[0]), calls.count) == (-9, 0)


def _notify_child(loop: EventLoop, script: str) -> tuple[NotifyProbe, Calls]:
    """Start `sh -c script` with a notify pipe as its descriptor 5, as the runner does."""
    read_fd, write_fd = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        proc = spawn(["/bin/sh", "-c", script], ENV, notify_fd=(write_fd, 5))
    finally:
        os.close(write_fd)
    loop.watch_child(proc.pid, lambda status: None)  # the loop reaps it
    calls = Calls()
    readiness = Readiness(ReadyKind.NOTIFY_FD, fd=5)
    probe = make_probe(readiness, loop, calls, ENV, read_fd)
    assert isinstance(probe, NotifyProbe)
    probe.start()
    return probe, calls


def test_notify_fd_probe_is_ready_when_the_child_writes_a_newline(
    loop: EventLoop, drive: Any
) -> None:
    probe, calls = _notify_child(loop, "printf 'almost' >&5; sleep 0.1; echo >&5; sleep 0.2")
    drive(loop, lambda: calls.count > 0, timeout=5.0)
    assert probe.done


def test_notify_fd_probe_without_a_newline_is_never_ready(loop: EventLoop, drive: Any) -> None:
    probe, calls = _notify_child(loop, "printf 'no newline' >&5")
    drive(loop, lambda: probe.done, timeout=5.0)  # EOF ends the probe
    _rounds(loop, 3)
    assert calls.count == 0
