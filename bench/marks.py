"""The channel through which services tell the harness what happened to them, and when.

Every benchmark service writes one short line (`up NAME PID`, `term NAME`, ...) into a FIFO as
its first or last act. The harness holds the FIFO open read+write (so writers never block and it
never sees end-of-file) and sleeps in poll(2) until a line arrives; it stamps each line with
CLOCK_MONOTONIC when read() returns. Why this design:

- no polling: the harness uses no CPU while waiting, so on a 2-core machine it does not compete
  with the system under test, and it reacts within microseconds of the write;
- a line is shorter than PIPE_BUF, so concurrent writes from 100 services never interleave;
- the writer is the service's own `sh` (a builtin `printf` into the FIFO: no extra process), so
  the cost each service adds is one open+write, the same under every system;
- the stamp is an upper bound of the event time: when the harness is descheduled, lines are read
  later, never earlier. That bias is the same for every system and small against the timings.
"""

from __future__ import annotations

import os
import select
import time
from dataclasses import dataclass
from enum import Enum
from pathlib import Path


class Kind(Enum):
    UP = "up"  # the service's program is running: `up NAME PID`
    TERM = "term"  # it received its stop signal and exits: `term NAME`
    CLEANED = "cleaned"  # it finished a slow cleanup after its stop signal: `cleaned NAME`
    SPAWN = "spawn"  # a crash-loop service started (and exits at once): `spawn NAME`
    ENV = "env"  # a startup script counted its environment: `env NAME COUNT CHECK`


@dataclass(frozen=True)
class Mark:
    kind: Kind
    name: str
    args: tuple[str, ...]
    at_ns: int  # time.monotonic_ns() when the harness read the line


class MarkChannel:
    """A FIFO at `path`, created here, read until closed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        os.mkfifo(path, 0o600)
        self._fd = os.open(path, os.O_RDWR | os.O_NONBLOCK)
        self._poll = select.poll()
        self._poll.register(self._fd, select.POLLIN)
        self._partial = b""
        self._pending: list[Mark] = []

    def close(self) -> None:
        os.close(self._fd)
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> MarkChannel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _fill(self, timeout_s: float, poller: select.poll | None = None) -> list[int]:
        """Read what has arrived, waiting up to `timeout_s`; returns the ready fds."""
        ready = [fd for fd, _ in (poller or self._poll).poll(max(0, int(timeout_s * 1000)))]
        if self._fd not in ready:
            return ready
        now = time.monotonic_ns()
        try:
            data = os.read(self._fd, 65536)
        except BlockingIOError:
            return ready
        lines = (self._partial + data).split(b"\n")
        self._partial = lines.pop()
        for line in lines:
            words = line.decode(errors="replace").split()
            if len(words) >= 2:
                try:
                    kind = Kind(words[0])
                except ValueError:
                    continue
                self._pending.append(Mark(kind, words[1], tuple(words[2:]), now))
        return ready

    def until_readable(self, fd: int, deadline_ns: int) -> tuple[list[Mark], int | None]:
        """Keep stamping marks until `fd` (a pidfd) is readable; the marks and when, or None.

        Reading on while waiting is what keeps the stamps of marks written meanwhile true.
        """
        poller = select.poll()
        poller.register(self._fd, select.POLLIN)
        poller.register(fd, select.POLLIN)
        fired: int | None = None
        while fired is None:
            remaining = (deadline_ns - time.monotonic_ns()) / 1e9
            if remaining <= 0:
                break
            if fd in self._fill(remaining, poller):
                fired = time.monotonic_ns()
        self._fill(0)  # lines written just before the end
        found, self._pending = self._pending, []
        return found, fired

    def next(self, deadline_ns: int) -> Mark | None:
        """The next mark, waiting until the monotonic deadline; None when it passed."""
        while not self._pending:
            remaining = (deadline_ns - time.monotonic_ns()) / 1e9
            if remaining <= 0:
                self._fill(0)  # lines already written still count after the deadline
                if not self._pending:
                    return None
                break
            self._fill(remaining)
        return self._pending.pop(0)

    def collect(self, kind: Kind, count: int, deadline_ns: int) -> list[Mark]:
        """Marks of `kind` until `count` of them arrived or the deadline passed; others dropped."""
        found: list[Mark] = []
        while len(found) < count:
            mark = self.next(deadline_ns)
            if mark is None:
                break
            if mark.kind is kind:
                found.append(mark)
        return found

    def drain(self, until_ns: int) -> list[Mark]:
        """Every mark arriving before the monotonic time `until_ns`."""
        found: list[Mark] = []
        while (mark := self.next(until_ns)) is not None:
            found.append(mark)
        return found


def deadline(seconds: float) -> int:
    return time.monotonic_ns() + int(seconds * 1e9)
