"""One supervised service: its state machine, decided pair by pair in one table.

`TRANSITIONS[(state, event)]` names the handler for every pair that does something; a pair not
in the table is ignored on purpose (for example READY for a service that already died), and a
test walks every pair. Each handler is small; state changes go through `_enter`, which logs one
line per transition.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Protocol

from ..log import Logger
from ..services import Restart, Service
from ..users import Credentials
from .loop import EventLoop, Timer
from .readiness import Probe, make_probe
from .spawn import Process, SpawnError, Stdio, spawn
from .states import Event, State, Want
from .waitstatus import Exit

GIVE_UP_AFTER = 5  # quick exits in a row that end a critical service for good
BACKOFF_FIRST = 0.1  # seconds
# A run shorter than this is a quick exit, which counts towards the back-off. Longer runs are
# restarted at once (as runsv does), and a run of `stable_after` resets the count.
QUICK_EXIT = 1.0  # seconds


def backoff_delay(quick_exits: int, cap: float) -> float:
    """Delay before restart number `quick_exits` of a run of quick exits.

    The first quick exit restarts at once; then 0.1 s, doubling, up to `cap`.
    """
    if quick_exits <= 1:
        return 0.0
    # The exponent is bounded: a float power overflows long before a real crash loop ends.
    return min(cap, BACKOFF_FIRST * 2 ** min(quick_exits - 2, 64))


class Host(Protocol):
    """What a runner needs from the supervisor around it."""

    loop: EventLoop
    log: Logger
    shutting_down: bool

    def environment(self, runner: Runner) -> Mapping[str, str]: ...
    def stdio(self, runner: Runner) -> Stdio: ...
    def kick(self, runner: Runner) -> None: ...
    def readiness_changed(self, runner: Runner) -> None: ...
    def settled(self, runner: Runner) -> None: ...
    def skip_finish(self) -> bool: ...


class Runner:
    # Kill what is left of the process group when the main process dies on its own.
    kill_leftovers = True

    def __init__(
        self,
        service: Service,
        host: Host,
        *,
        argv: Sequence[str | Path],
        credentials: Credentials | None = None,
        restart: Restart = Restart.ALWAYS,
        critical: bool = False,
        interactive: bool = False,
    ) -> None:
        self.service = service
        self.name = service.name
        self.config = service.config
        self.host = host
        self.argv = argv
        self.credentials = credentials
        self.restart = restart
        self.critical = critical
        self.interactive = interactive
        self.state = State.DOWN
        self.want = Want.UP  # what it will get when supervision starts
        self.since = host.loop.clock()
        self.proc: Process | None = None
        self.started_at = 0.0
        self.spawns = 0
        self.quick_exits = 0
        self.last_exit: Exit | None = None
        self.ready = False
        self._probe: Probe | None = None
        self._timers: list[Timer] = []
        self._finish: Process | None = None
        # The coming exit was asked for (sv down/restart): it says nothing about the service's
        # health, so neither the restart policy nor the back-off applies to it.
        self._stop_requested = False
        self._group_gone = False

    # --- the table ---------------------------------------------------------------------

    def handle(self, event: Event, status: int = 0) -> None:
        handler = TRANSITIONS.get((self.state, event))
        if handler is None:
            self.host.log.trace(
                f"service {self.name}: {event.value} ignored while {self.state.value}"
            )
            return
        handler(self, status)

    def _enter(self, state: State, detail: str = "") -> None:
        self.state = state
        self.since = self.host.loop.clock()
        message = f"service {self.name}: {state.value}" + (f" ({detail})" if detail else "")
        self.host.log.debug(message) if state in (State.WAITING,) else self.host.log.info(message)

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None and self.state.running else None

    @property
    def restarts(self) -> int:
        return max(0, self.spawns - 1)

    # --- handlers ------------------------------------------------------------------------

    def _want_up(self, _: int) -> None:
        self._set_want(Want.UP)

    def _want_once(self, _: int) -> None:
        self._set_want(Want.ONCE)

    def _set_want(self, want: Want) -> None:
        if self.host.shutting_down:
            return  # nothing starts once the container is stopping
        self.want = want
        if self.state.settled or self.state is State.BACKOFF:
            self._cancel_timers()
            self.quick_exits = 0  # an explicit command starts a fresh run of attempts
            self._enter(State.WAITING)
            self.host.kick(self)

    def _want_down(self, _: int) -> None:
        self.want = Want.DOWN
        if self.state in (State.WAITING, State.BACKOFF):
            self._cancel_timers()
            self._enter(State.DOWN)
            self.host.settled(self)
        elif self.state in (State.STARTING, State.UP):
            self._send_stop(requested=True)

    def _want_restart(self, _: int) -> None:
        if self.host.shutting_down:
            return
        self.want = Want.UP
        if self.state in _RUNNING:
            self._send_stop(requested=True)
        elif self.state not in (State.STOPPING, State.FINISHING):
            self._set_want(Want.UP)

    def _deps_ready(self, _: int) -> None:
        self._spawn()

    def _ready(self, _: int) -> None:
        self._cancel_timers()
        self.ready = True
        self._enter(State.UP)
        self.host.readiness_changed(self)

    def _ready_timeout(self, _: int) -> None:
        self.host.log.error(
            f"service {self.name}: not ready after {self.config.ready_timeout:g} s "
            f"({self.config.ready.describe()}); stopping it"
        )
        self._send_stop()

    def _exited(self, status: int) -> None:
        exit_ = Exit.from_status(status)
        self.last_exit = exit_
        self._cancel_timers()
        if self._probe is not None:
            self._probe.cancel()
        was_ready, self.ready = self.ready, False
        if (
            self.kill_leftovers
            and self.state is not State.STOPPING
            and not self.interactive
            and self.group_alive()
        ):
            # It died on its own: what is left of its group (an nginx master's workers, say)
            # would hold its ports and files against the next start.
            self.signal_group(signal.SIGKILL)
            self.host.log.info(f"service {self.name}: killed what was left of its process group")
        ran = self.host.loop.clock() - self.started_at
        expected = self.state is State.STOPPING or exit_.success
        level = self.host.log.info if expected else self.host.log.warning
        level(f"service {self.name}: {exit_.describe()} after {ran:.1f} s")
        if was_ready:
            self.host.readiness_changed(self)
        if self.service.finish is not None and not self.host.skip_finish():
            self._run_finish(exit_)
        else:
            self._after_exit()

    def _finish_done(self, _: int) -> None:
        self._after_exit()

    def _backoff_done(self, _: int) -> None:
        self._enter(State.WAITING)
        self.host.kick(self)

    def _shutdown(self, _: int) -> None:
        self.want = Want.DOWN
        if self.state in (State.WAITING, State.BACKOFF):
            self._cancel_timers()
            self._enter(State.DOWN)
            self.host.settled(self)

    def _stop_now(self, _: int) -> None:
        self._send_stop(requested=True)

    # --- actions -----------------------------------------------------------------------------

    def _spawn(self) -> None:
        loop = self.host.loop
        notify: tuple[int, int] | None = None
        read_fd = None
        if self.config.ready.fd:
            read_fd, write_fd = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
            notify = (write_fd, self.config.ready.fd)
        env = self.host.environment(self)
        self._stop_requested = False
        self._group_gone = False
        self.started_at = loop.clock()
        self.spawns += 1
        try:
            self.proc = spawn(
                self.argv,
                env,
                cwd=self.service.directory,
                credentials=self.credentials,
                stdio=self.host.stdio(self),
                foreground=self.interactive,
                notify_fd=notify,
            )
        except SpawnError as exc:
            if read_fd is not None:
                os.close(read_fd)
            self.host.log.error(f"service {self.name}: {exc}")
            self.last_exit = Exit(code=exc.exit_code)
            self._after_exit()
            return
        finally:
            if notify is not None:
                os.close(notify[0])  # the child has its copy; EOF then means it closed it
        loop.watch_child(self.proc.pid, lambda status: self.handle(Event.EXITED, status))
        self._enter(State.STARTING, f"pid {self.proc.pid}")
        self._probe = make_probe(
            self.config.ready, loop, lambda: self.handle(Event.READY), env, read_fd
        )
        if self.config.ready_timeout > 0:
            self._timers.append(
                loop.call_later(self.config.ready_timeout, lambda: self.handle(Event.READY_TIMEOUT))
            )
        self._probe.start()

    def _send_stop(self, requested: bool = False) -> None:
        self._stop_requested = requested
        self._enter(State.STOPPING, f"sending {self.config.stop_signal.name}")
        self.signal_group(self.config.stop_signal)
        self.signal_group(signal.SIGCONT)  # a stopped process must wake up to obey
        if self.config.stop_timeout is not None:
            self._timers.append(
                self.host.loop.call_later(self.config.stop_timeout, self.kill_group)
            )

    def signal_group(self, signum: int) -> bool:
        """Signal the service's process group; False when nothing is left to signal."""
        if self.proc is None:
            return False
        try:
            os.killpg(self.proc.pid, signum)
        except (ProcessLookupError, PermissionError):
            return False
        return True

    def kill_group(self) -> None:
        if self.signal_group(signal.SIGKILL):
            self.host.log.warning(f"service {self.name}: still running, sent SIGKILL")

    def group_alive(self) -> bool:
        """Does any process of the service's group remain (after its main process exited)?"""
        if self.proc is None or self._group_gone:
            return False
        try:
            os.killpg(self.proc.pid, 0)
        except (ProcessLookupError, PermissionError):
            # Nothing joins a group whose processes are all gone: remember, so a shutdown of
            # many services does not probe every group again after each exit.
            self._group_gone = True
            return False
        return True

    def _run_finish(self, exit_: Exit) -> None:
        assert self.service.finish is not None
        code = "-1" if exit_.code is None else str(exit_.code)
        sig = "0" if exit_.signal is None else str(exit_.signal)
        self._enter(State.FINISHING)
        try:
            self._finish = spawn(
                [self.service.finish, code, sig],
                self.host.environment(self),
                cwd=self.service.directory,
                credentials=self.credentials,
                stdio=self.host.stdio(self),
            )
        except SpawnError as exc:
            self.host.log.error(f"service {self.name}: finish.sh: {exc}")
            self._after_exit()
            return
        pid = self._finish.pid
        timeout = self.config.finish_timeout
        self._timers.append(self.host.loop.call_later(timeout, lambda: self._finish_timeout(pid)))
        self.host.loop.watch_child(pid, self._finish_exited)

    def _finish_exited(self, status: int) -> None:
        exit_ = Exit.from_status(status)
        self._finish = None
        if not exit_.success:
            self.host.log.warning(f"service {self.name}: finish.sh {exit_.describe()}")
        self._cancel_timers()
        self.handle(Event.FINISH_DONE)

    def _finish_timeout(self, pid: int) -> None:
        self.host.log.warning(
            f"service {self.name}: finish.sh still running after "
            f"{self.config.finish_timeout:g} s, sent SIGKILL"
        )
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def _after_exit(self) -> None:
        exit_ = self.last_exit or Exit(code=0)
        if self.host.shutting_down or self.want is Want.DOWN:
            self._enter(State.DOWN)
            self.host.settled(self)
            return
        if self._stop_requested:  # we stopped it and it is wanted again: start it at once
            self._stop_requested = False
            self.quick_exits = 0
            self._enter(State.WAITING, "restarting")
            self.host.kick(self)
            return
        if self.want is Want.ONCE or not self._restarts_after(exit_):
            self.want = Want.DOWN
            self._enter(State.FINISHED if exit_.success else State.FAILED, exit_.describe())
            self.host.settled(self)
            return
        ran = self.host.loop.clock() - self.started_at
        quick = ran < min(QUICK_EXIT, self.config.stable_after)
        if quick:
            self.quick_exits += 1
        elif ran >= self.config.stable_after:
            self.quick_exits = 0
        if self.critical and self.quick_exits >= GIVE_UP_AFTER:
            self.want = Want.DOWN
            self._enter(State.FAILED, f"gave up after {self.quick_exits} quick exits in a row")
            self.host.settled(self)
            return
        delay = backoff_delay(self.quick_exits, self.config.backoff_max) if quick else 0.0
        if delay == 0:
            self._enter(State.WAITING, "restarting")
            self.host.kick(self)
        else:
            self._enter(State.BACKOFF, f"restarting in {delay:g} s")
            self._timers.append(
                self.host.loop.call_later(delay, lambda: self.handle(Event.BACKOFF_DONE))
            )

    def _restarts_after(self, exit_: Exit) -> bool:
        if self.restart is Restart.ALWAYS:
            return True
        return self.restart is Restart.ON_FAILURE and not exit_.success

    def _cancel_timers(self) -> None:
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()

    # --- reporting ---------------------------------------------------------------------------

    def status(self) -> dict[str, object]:
        return {
            "name": self.name,
            "state": self.state.value,
            "pid": self.pid,
            "uptime": round(self.host.loop.clock() - self.since, 3),
            "restarts": self.restarts,
            "ready": self.ready,
            "want": self.want.value,
            "critical": self.critical,
            "last_exit": self.last_exit.as_json() if self.last_exit else None,
        }


Handler = Callable[[Runner, int], None]
_RUNNING = (State.STARTING, State.UP)

TRANSITIONS: dict[tuple[State, Event], Handler] = {
    **{(s, Event.WANT_UP): Runner._want_up for s in State},
    **{(s, Event.WANT_ONCE): Runner._want_once for s in State},
    **{(s, Event.WANT_DOWN): Runner._want_down for s in State},
    **{(s, Event.WANT_RESTART): Runner._want_restart for s in State},
    (State.WAITING, Event.DEPS_READY): Runner._deps_ready,
    (State.STARTING, Event.READY): Runner._ready,
    (State.STARTING, Event.READY_TIMEOUT): Runner._ready_timeout,
    **{(s, Event.EXITED): Runner._exited for s in (*_RUNNING, State.STOPPING)},
    (State.FINISHING, Event.FINISH_DONE): Runner._finish_done,
    (State.BACKOFF, Event.BACKOFF_DONE): Runner._backoff_done,
    **{(s, Event.SHUTDOWN): Runner._shutdown for s in State},
    **{(s, Event.STOP_NOW): Runner._stop_now for s in _RUNNING},
}
