"""Shared fixtures of the unit tests: an event loop that leaves the test process as it found it,
a clock the tests move by hand, and a bounded way to run the loop until something happened."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Iterator

import pytest

from lightbase.supervisor.loop import EventLoop

# Every signal an EventLoop or a Supervisor takes over; restored after each test so a
# later test (and pytest's own Ctrl-C) sees the usual dispositions.
_TAKEN_SIGNALS = (
    signal.SIGCHLD,
    signal.SIGTERM,
    signal.SIGINT,
    signal.SIGQUIT,
    signal.SIGHUP,
    signal.SIGUSR1,
    signal.SIGUSR2,
    signal.SIGWINCH,
)


class FakeClock:
    """Monotonic seconds that only move when a test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def restore_signals() -> Iterator[None]:
    saved = {signum: signal.getsignal(signum) for signum in _TAKEN_SIGNALS}
    yield
    signal.set_wakeup_fd(-1)
    for signum, handler in saved.items():
        signal.signal(signum, handler)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def loop(restore_signals: None) -> Iterator[EventLoop]:
    """An event loop on the real monotonic clock."""
    event_loop = EventLoop()
    yield event_loop
    event_loop.close()


@pytest.fixture
def fake_loop(restore_signals: None, clock: FakeClock) -> Iterator[EventLoop]:
    """An event loop whose timers run only when the test advances `clock`.

    Child exits still wake it for real (SIGCHLD), so real processes can be used with it.
    """
    event_loop = EventLoop(clock=clock)
    yield event_loop
    event_loop.close()


Drive = Callable[..., None]


def _drive(loop: EventLoop, done: Callable[[], bool], timeout: float = 5.0) -> None:
    """Run the loop until `done()`, failing the test after `timeout` real seconds.

    A short no-op timer per round bounds each wait, so a condition made true by another
    thread (or never made true) is noticed without the loop sleeping forever.
    """
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not reached within {timeout} s")
        loop.call_later(0.01, lambda: None)
        loop.run_once()


@pytest.fixture
def drive() -> Drive:
    return _drive


def _run_due(loop: EventLoop) -> None:
    """Run every timer that is due now, without waiting for anything."""
    loop.call_later(0, lambda: None)
    loop.run_once()


@pytest.fixture
def run_due() -> Callable[[EventLoop], None]:
    return _run_due
