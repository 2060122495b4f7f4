"""Readiness probes: how the supervisor learns that a started service can be depended on.

Each probe starts when its service's process is spawned and calls `on_ready` once; `cancel`
stops it. Waiting is event-driven (a pipe for notify_fd, child exits for cmd); the tcp probe
retries on a timer with a growing delay, only while the service is starting.
"""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Callable, Mapping

from ..services import Readiness, ReadyKind
from .loop import EventLoop, Timer
from .spawn import SpawnError, spawn

RETRY_FIRST = 0.01  # seconds
RETRY_MAX = 0.5


class Probe:
    def __init__(self, loop: EventLoop, on_ready: Callable[[], None]) -> None:
        self.loop = loop
        self._on_ready = on_ready
        self.done = False

    def start(self) -> None:
        self.ready()

    def ready(self) -> None:
        if not self.done:
            self.done = True
            self.cancel()
            self._on_ready()

    def cancel(self) -> None:
        self.done = True


class _Retrying(Probe):
    """A probe that tries now and again later, doubling the delay up to RETRY_MAX."""

    def __init__(self, loop: EventLoop, on_ready: Callable[[], None]) -> None:
        super().__init__(loop, on_ready)
        self._delay = RETRY_FIRST
        self._timer: Timer | None = None

    def start(self) -> None:
        self.attempt()

    def attempt(self) -> None:
        raise NotImplementedError

    def retry(self) -> None:
        if self.done:
            return
        self._timer = self.loop.call_later(self._delay, self.attempt)
        self._delay = min(self._delay * 2, RETRY_MAX)

    def cancel(self) -> None:
        super().cancel()
        if self._timer is not None:
            self._timer.cancel()


class TcpProbe(_Retrying):
    def __init__(self, loop: EventLoop, on_ready: Callable[[], None], host: str, port: int):
        super().__init__(loop, on_ready)
        self.address = (host, port)

    def attempt(self) -> None:
        try:
            # Short timeout: on loopback a refused connect answers at once; only a remote,
            # filtered address could make this wait, and then not for long.
            with socket.create_connection(self.address, timeout=0.2):
                pass
        except OSError:
            self.retry()
        else:
            self.ready()


class CmdProbe(_Retrying):
    def __init__(
        self,
        loop: EventLoop,
        on_ready: Callable[[], None],
        argv: tuple[str, ...],
        env: Mapping[str, str],
    ) -> None:
        super().__init__(loop, on_ready)
        self.argv = argv
        self.env = env
        self._proc: subprocess.Popen[bytes] | None = None

    def attempt(self) -> None:
        if self.done:
            return
        try:
            self._proc = spawn(self.argv, self.env)
        except SpawnError:
            self.retry()
            return
        self.loop.watch_child(self._proc.pid, self._exited)

    def _exited(self, status: int) -> None:
        assert self._proc is not None
        self._proc.returncode = os.waitstatus_to_exitcode(status)
        self._proc = None
        if status == 0:
            self.ready()
        else:
            self.retry()

    def cancel(self) -> None:
        super().cancel()
        if self._proc is not None:
            try:
                os.killpg(self._proc.pid, 9)
            except ProcessLookupError:
                pass


class NotifyProbe(Probe):
    """The service writes a newline to descriptor N when it is ready (s6's convention)."""

    def __init__(self, loop: EventLoop, on_ready: Callable[[], None], read_fd: int) -> None:
        super().__init__(loop, on_ready)
        self.read_fd = read_fd
        self._registered = False

    def start(self) -> None:
        self.loop.add_reader(self.read_fd, self._readable)
        self._registered = True

    def _readable(self) -> None:
        try:
            data = os.read(self.read_fd, 4096)
        except BlockingIOError:
            return
        if b"\n" in data:
            self.ready()
        elif not data:  # closed without a word: it will never be ready this run
            self.cancel()

    def cancel(self) -> None:
        super().cancel()
        if self._registered:
            self.loop.remove_reader(self.read_fd)
            self._registered = False
            os.close(self.read_fd)


def make_probe(
    readiness: Readiness,
    loop: EventLoop,
    on_ready: Callable[[], None],
    env: Mapping[str, str],
    notify_read_fd: int | None,
) -> Probe:
    if readiness.kind is ReadyKind.TCP:
        return TcpProbe(loop, on_ready, readiness.host, readiness.port)
    if readiness.kind is ReadyKind.CMD:
        return CmdProbe(loop, on_ready, readiness.command, env)
    if readiness.kind is ReadyKind.NOTIFY_FD:
        assert notify_read_fd is not None
        return NotifyProbe(loop, on_ready, notify_read_fd)
    return Probe(loop, on_ready)
