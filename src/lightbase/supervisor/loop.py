"""The event loop: one thread, woken only by signals, child exits, due timers and file descriptors.

Signals reach the loop through `signal.set_wakeup_fd`: the C-level handler writes the signal
number to a pipe the selector watches, so nothing polls and an idle loop sleeps in epoll_wait
with no timeout. SIGCHLD triggers `waitpid(-1, WNOHANG)` until nothing is left to reap, which
reaps orphans too; exits of processes someone watches go to their callbacks.
"""

from __future__ import annotations

import heapq
import itertools
import os
import selectors
import signal
import time
from collections.abc import Callable, Iterable

ChildCallback = Callable[[int], None]  # receives the raw wait status


def _ignore_signal(signum: int, frame: object) -> None:
    """A Python-level handler must exist for the wakeup fd to be written; the loop does the work."""


class Timer:
    __slots__ = ("callback", "cancelled", "when")

    def __init__(self, when: float, callback: Callable[[], None]) -> None:
        self.when = when
        self.callback = callback
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class EventLoop:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.selector = selectors.DefaultSelector()
        self._timers: list[tuple[float, int, Timer]] = []
        self._sequence = itertools.count()
        self._children: dict[int, ChildCallback] = {}
        self._signal_handlers: dict[int, Callable[[int], None]] = {}
        self.on_orphan_pid: Callable[[int, int], None] | None = None
        self._wake_read, self._wake_write = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        self.selector.register(self._wake_read, selectors.EVENT_READ, self._on_wakeup)
        signal.set_wakeup_fd(self._wake_write, warn_on_full_buffer=False)
        self.handle_signals([signal.SIGCHLD], lambda _: self.reap())

    def close(self) -> None:
        signal.set_wakeup_fd(-1)
        self.selector.close()
        os.close(self._wake_read)
        os.close(self._wake_write)

    # --- registration ---------------------------------------------------------------

    def handle_signals(self, signals: Iterable[int], handler: Callable[[int], None]) -> None:
        for signum in signals:
            signal.signal(signum, _ignore_signal)
            self._signal_handlers[signum] = handler

    def call_at(self, when: float, callback: Callable[[], None]) -> Timer:
        timer = Timer(when, callback)
        heapq.heappush(self._timers, (when, next(self._sequence), timer))
        return timer

    def call_later(self, delay: float, callback: Callable[[], None]) -> Timer:
        return self.call_at(self.clock() + max(0.0, delay), callback)

    def watch_child(self, pid: int, callback: ChildCallback) -> None:
        self._children[pid] = callback

    def add_reader(self, fd: int, callback: Callable[[], None]) -> None:
        self.selector.register(fd, selectors.EVENT_READ, callback)

    def remove_reader(self, fd: int) -> None:
        try:
            self.selector.unregister(fd)
        except (KeyError, ValueError):
            pass

    # --- running --------------------------------------------------------------------

    def run_until(self, done: Callable[[], bool]) -> None:
        while not done():
            self.run_once()

    def run_once(self) -> None:
        timeout = self._next_timeout()
        for key, _ in self.selector.select(timeout):
            key.data()
        self._run_due_timers()

    def _next_timeout(self) -> float | None:
        while self._timers and self._timers[0][2].cancelled:
            heapq.heappop(self._timers)
        if not self._timers:
            return None  # nothing due: sleep until a signal or a descriptor wakes us
        return max(0.0, self._timers[0][0] - self.clock())

    def _run_due_timers(self) -> None:
        now = self.clock()
        while self._timers and self._timers[0][0] <= now:
            _, _, timer = heapq.heappop(self._timers)
            if not timer.cancelled:
                timer.cancelled = True
                timer.callback()

    def _on_wakeup(self) -> None:
        try:
            data = os.read(self._wake_read, 512)
        except BlockingIOError:
            return
        for signum in data:
            handler = self._signal_handlers.get(signum)
            if handler is not None:
                handler(signum)

    def reap(self) -> None:
        """Collect every exited child; watched ones go to their callback."""
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            self._dispatch(pid, status)

    def _dispatch(self, pid: int, status: int) -> None:
        callback = self._children.pop(pid, None)
        if callback is not None:
            callback(status)
        elif self.on_orphan_pid is not None:
            self.on_orphan_pid(pid, status)

    def has_children(self) -> bool:
        """True while any child (ours or an adopted orphan) has not been reaped."""
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return False
        if pid != 0:  # one exited just now: dispatch it and look again
            self._dispatch(pid, status)
            return self.has_children()
        return True
