"""The service state table: every (state, event) pair, and the decisions users rely on.

The runner talks to the supervisor through its `Host` interface; `FakeHost` stands in for the
supervisor (it records what it is told and starts a waiting service when kicked, as the
supervisor does when the dependencies are ready). Processes are real (`/bin/true`, `sleep`),
reaped by the real event loop; only the loop's clock is moved by hand, so back-off delays and
"quick" runs are exact and nothing waits for real time.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from lightbase.log import Level, Logger
from lightbase.services import Readiness, ReadyKind, Restart, Service, ServiceConfig
from lightbase.supervisor.loop import EventLoop
from lightbase.supervisor.runner import GIVE_UP_AFTER, TRANSITIONS, Runner
from lightbase.supervisor.spawn import Stdio
from lightbase.supervisor.states import Event, State, Want
from lightbase.supervisor.waitstatus import Exit

S = State
TERM_IGNORING_SLEEP = ["/bin/sh", "-c", "trap '' TERM; echo >&3; exec sleep 30"]


class FakeHost:
    """The supervisor's side of the Host interface, recording what the runner tells it."""

    def __init__(self, loop: EventLoop, log_path: Path) -> None:
        self.loop = loop
        self.log_path = log_path
        self._log_fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self.log = Logger(Level.TRACE, fd=self._log_fd)
        self.shutting_down = False
        self.start_when_kicked = True
        self.kicks = 0
        self.settled_states: list[State] = []
        self.readiness: list[bool] = []

    def environment(self, runner: Runner) -> Mapping[str, str]:
        return {"PATH": "/usr/bin:/bin"}

    def stdio(self, runner: Runner) -> Stdio:
        return Stdio()

    def kick(self, runner: Runner) -> None:
        self.kicks += 1
        if self.start_when_kicked and runner.state is State.WAITING:
            runner.handle(Event.DEPS_READY)

    def readiness_changed(self, runner: Runner) -> None:
        self.readiness.append(runner.ready)

    def settled(self, runner: Runner) -> None:
        self.settled_states.append(runner.state)

    def skip_finish(self) -> bool:
        return False

    def messages(self, minimum: Level = Level.INFO) -> list[str]:
        """Logged messages at `minimum` or more important, without the line prefix."""
        found = []
        for line in self.log_path.read_text().splitlines():
            level, _, message = line[4:].split(" | ", 2)
            if Level[level.strip()] <= minimum:
                found.append(message)
        return found

    def close(self) -> None:
        os.close(self._log_fd)


@pytest.fixture
def host(fake_loop: EventLoop, tmp_path: Path) -> Iterator[FakeHost]:
    fake = FakeHost(fake_loop, tmp_path / "log")
    yield fake
    fake.close()


MakeRunner = Callable[..., Runner]


@pytest.fixture
def make_runner(host: FakeHost, tmp_path: Path) -> Iterator[MakeRunner]:
    made: list[Runner] = []

    def make(
        argv: list[str],
        *,
        restart: Restart = Restart.ALWAYS,
        critical: bool = False,
        finish: Path | None = None,
        **config: Any,
    ) -> Runner:
        config.setdefault("ready_timeout", 0)  # no timer unless a test asks for one
        service = Service(
            name="web",
            directory=tmp_path,
            process=Path(argv[0]),
            finish=finish,
            config=ServiceConfig(**config),
        )
        runner = Runner(service, host, argv=argv, restart=restart, critical=critical)
        made.append(runner)
        return runner

    yield make
    for runner in made:  # whatever a failed test left running
        for proc in (runner.proc, runner._finish):
            if proc is not None:  # gone already (reaped by the loop) or killed and reaped here
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                    os.waitpid(proc.pid, 0)
                except (ProcessLookupError, ChildProcessError):
                    pass


def _start(runner: Runner) -> None:
    runner.handle(Event.WANT_UP)


# --- the whole table --------------------------------------------------------------------------

_ALL = list(State)
_SETTLED_OR_BACKOFF = {
    S.DOWN: S.WAITING,
    S.BACKOFF: S.WAITING,
    S.FINISHED: S.WAITING,
    S.FAILED: S.WAITING,
}


def _want_up_row() -> dict[State, State]:
    return {s: _SETTLED_OR_BACKOFF.get(s, s) for s in _ALL}


# State after each (state, event) pair in the table, for a runner that wants to be up, has
# `restart: always`, and whose host does not start it when kicked.
EXPECTED: dict[tuple[State, Event], State] = {
    **{(s, Event.WANT_UP): after for s, after in _want_up_row().items()},
    **{(s, Event.WANT_ONCE): after for s, after in _want_up_row().items()},
    **{
        (s, Event.WANT_DOWN): after
        for s, after in {
            S.DOWN: S.DOWN,
            S.WAITING: S.DOWN,
            S.STARTING: S.STOPPING,
            S.UP: S.STOPPING,
            S.STOPPING: S.STOPPING,
            S.FINISHING: S.FINISHING,
            S.BACKOFF: S.DOWN,
            S.FINISHED: S.FINISHED,
            S.FAILED: S.FAILED,
        }.items()
    },
    **{
        (s, Event.WANT_RESTART): after
        for s, after in {
            S.DOWN: S.WAITING,
            S.WAITING: S.WAITING,
            S.STARTING: S.STOPPING,
            S.UP: S.STOPPING,
            S.STOPPING: S.STOPPING,
            S.FINISHING: S.FINISHING,
            S.BACKOFF: S.WAITING,
            S.FINISHED: S.WAITING,
            S.FAILED: S.WAITING,
        }.items()
    },
    (S.WAITING, Event.DEPS_READY): S.UP,  # spawned; `ready: started` is ready at once
    (S.STARTING, Event.READY): S.UP,
    (S.STARTING, Event.READY_TIMEOUT): S.STOPPING,
    (S.STARTING, Event.EXITED): S.WAITING,  # first quick exit: restart at once
    (S.UP, Event.EXITED): S.WAITING,
    (S.STOPPING, Event.EXITED): S.WAITING,
    (S.FINISHING, Event.FINISH_DONE): S.WAITING,
    (S.BACKOFF, Event.BACKOFF_DONE): S.WAITING,
    **{(s, Event.SHUTDOWN): {S.WAITING: S.DOWN, S.BACKOFF: S.DOWN}.get(s, s) for s in _ALL},
    (S.STARTING, Event.STOP_NOW): S.STOPPING,
    (S.UP, Event.STOP_NOW): S.STOPPING,
}


def test_the_table_holds_exactly_the_expected_pairs() -> None:
    assert set(TRANSITIONS) == set(EXPECTED)


_PAIRS = [(s, e) for s in State for e in Event]


@pytest.mark.parametrize(
    ("state", "event"), _PAIRS, ids=[f"{s.value}+{e.value}" for s, e in _PAIRS]
)
def test_every_pair(
    state: State, event: Event, host: FakeHost, make_runner: MakeRunner, drive: Any
) -> None:
    host.start_when_kicked = False
    runner = make_runner(["/bin/true"])
    runner.state = state
    runner.want = Want.UP
    runner.handle(event)
    if (state, event) in EXPECTED:
        assert runner.state is EXPECTED[(state, event)]
    else:
        assert (runner.state, runner.want) == (state, Want.UP)
        assert host.messages(Level.TRACE) == [
            f"service web: {event.value} ignored while {state.value}"
        ]
    if runner.proc is not None:  # DEPS_READY started /bin/true: let the loop reap it
        drive(host.loop, lambda: runner.state is not State.UP)
        assert runner.last_exit == Exit(code=0)


# --- a service's life, with real processes ------------------------------------------------------


def test_a_service_starts_when_wanted_and_its_life_is_logged(
    host: FakeHost, make_runner: MakeRunner, drive: Any
) -> None:
    runner = make_runner(["/bin/false"], restart=Restart.NEVER)
    _start(runner)
    assert runner.state is State.UP
    pid = runner.proc.pid if runner.proc else None
    assert runner.pid == pid
    drive(host.loop, lambda: runner.state.settled)
    assert runner.state is State.FAILED
    assert runner.pid is None
    assert host.settled_states == [State.FAILED]
    assert host.readiness == [True, False]
    assert host.messages() == [
        f"service web: starting (pid {pid})",
        "service web: up",
        "service web: exited with code 1 after 0.0 s",
        "service web: failed (exited with code 1)",
    ]
    assert host.messages(Level.DEBUG)[0] == "service web: waiting"


@pytest.mark.parametrize(
    ("restart", "argv", "after"),
    [
        (Restart.NEVER, "/bin/true", State.FINISHED),
        (Restart.NEVER, "/bin/false", State.FAILED),
        (Restart.ON_FAILURE, "/bin/true", State.FINISHED),
        (Restart.ON_FAILURE, "/bin/false", State.WAITING),
        (Restart.ALWAYS, "/bin/true", State.WAITING),
        (Restart.ALWAYS, "/bin/false", State.WAITING),
    ],
)
def test_restart_policy_decides_after_success_and_failure(
    restart: Restart,
    argv: str,
    after: State,
    host: FakeHost,
    make_runner: MakeRunner,
    drive: Any,
) -> None:
    host.start_when_kicked = False
    runner = make_runner([argv], restart=restart)
    _start(runner)
    runner.handle(Event.DEPS_READY)
    drive(host.loop, lambda: runner.state is not State.UP)
    assert runner.state is after
    assert runner.want is (Want.UP if after is State.WAITING else Want.DOWN)


def test_once_does_not_restart_even_with_restart_always(
    host: FakeHost, make_runner: MakeRunner, drive: Any
) -> None:
    runner = make_runner(["/bin/true"], restart=Restart.ALWAYS)
    runner.handle(Event.WANT_ONCE)
    drive(host.loop, lambda: runner.state.settled)
    assert (runner.state, runner.want, runner.spawns) == (State.FINISHED, Want.DOWN, 1)


def _backoff_lines(host: FakeHost) -> list[str]:
    return [m for m in host.messages() if m.startswith("service web: backoff")]


def test_quick_exits_in_a_row_back_off_with_doubling_delays(
    host: FakeHost, make_runner: MakeRunner, drive: Any, run_due: Any, clock: Any
) -> None:
    runner = make_runner(["/bin/false"])
    _start(runner)
    delays = []
    for spawns in (2, 3, 4, 5, 6):
        drive(host.loop, lambda n=spawns: runner.spawns == n and runner.state is State.BACKOFF)
        delay = float(_backoff_lines(host)[-1].split()[-2])
        delays.append(delay)
        clock.advance(delay - 0.001)
        run_due(host.loop)
        assert (runner.state, runner.spawns) == (State.BACKOFF, spawns), "restarted too soon"
        clock.advance(0.002)  # past the delay, whatever the float rounding
        run_due(host.loop)
        assert runner.spawns == spawns + 1
    assert delays == [0.1, 0.2, 0.4, 0.8, 1.6]
    assert _backoff_lines(host)[0] == "service web: backoff (restarting in 0.1 s)"
    assert runner.restarts == 6


def test_the_first_quick_exit_restarts_at_once(
    host: FakeHost, make_runner: MakeRunner, drive: Any
) -> None:
    runner = make_runner(["/bin/false"])
    _start(runner)
    drive(host.loop, lambda: runner.state is State.BACKOFF)
    assert runner.spawns == 2  # the second start came without any delay
    assert "service web: waiting (restarting)" in host.messages(Level.DEBUG)


def _two_quick_exits(
    runner: Runner, host: FakeHost, drive: Any, run_due: Any, clock: Any
) -> Callable[[State, int], None]:
    """Start `runner`, kill it twice quickly (at once, then 0.1 s back-off) and let the
    back-off pass; returns the kill-and-wait step for the test to go on with."""

    def kill_and_wait_for(state: State, spawns: int) -> None:
        assert runner.proc is not None
        os.kill(runner.proc.pid, signal.SIGKILL)
        drive(host.loop, lambda: runner.spawns == spawns and runner.state is state)

    _start(runner)
    kill_and_wait_for(State.UP, 2)  # quick exit 1: at once
    kill_and_wait_for(State.BACKOFF, 2)  # quick exit 2: 0.1 s
    clock.advance(0.1)
    run_due(host.loop)
    return kill_and_wait_for


def test_a_stable_run_resets_the_back_off(
    host: FakeHost, make_runner: MakeRunner, drive: Any, run_due: Any, clock: Any
) -> None:
    runner = make_runner(["sleep", "30"], stable_after=10)
    kill_and_wait_for = _two_quick_exits(runner, host, drive, run_due, clock)
    assert (runner.state, runner.spawns) == (State.UP, 3)
    clock.advance(10)  # this run is stable
    kill_and_wait_for(State.UP, 4)
    assert runner.quick_exits == 0  # the count starts again
    assert "service web: killed by SIGKILL after 10.0 s" in host.messages()


def test_a_run_longer_than_a_second_restarts_at_once_without_resetting_the_count(
    host: FakeHost, make_runner: MakeRunner, drive: Any, run_due: Any, clock: Any
) -> None:
    runner = make_runner(["sleep", "30"], stable_after=10)
    kill_and_wait_for = _two_quick_exits(runner, host, drive, run_due, clock)
    clock.advance(1.5)  # not quick (runsv's 1 s), not stable (10 s)
    kill_and_wait_for(State.UP, 4)  # restarted at once, no back-off
    assert runner.quick_exits == 2
    kill_and_wait_for(State.BACKOFF, 4)  # quick again: the count goes on, 0.2 s
    assert "service web: backoff (restarting in 0.2 s)" in host.messages()


def test_a_critical_service_gives_up_after_five_quick_exits(
    host: FakeHost, make_runner: MakeRunner, drive: Any, run_due: Any, clock: Any
) -> None:
    runner = make_runner(["/bin/false"], critical=True)
    _start(runner)
    while not runner.state.settled:
        drive(host.loop, lambda: runner.state in (State.BACKOFF, State.FAILED))
        clock.advance(60)
        run_due(host.loop)
    assert GIVE_UP_AFTER == 5
    assert (runner.state, runner.spawns, runner.want) == (State.FAILED, 5, Want.DOWN)
    assert runner.last_exit == Exit(code=1)
    assert host.settled_states == [State.FAILED]
    assert host.messages()[-1] == "service web: failed (gave up after 5 quick exits in a row)"


def test_a_service_that_is_not_critical_never_gives_up(
    host: FakeHost, make_runner: MakeRunner, drive: Any, run_due: Any, clock: Any
) -> None:
    runner = make_runner(["/bin/false"], critical=False, backoff_max=1)
    _start(runner)
    while runner.spawns < 8:
        drive(host.loop, lambda: runner.state is State.BACKOFF)
        clock.advance(1)
        run_due(host.loop)
    assert host.settled_states == []
    assert _backoff_lines(host)[-1] == "service web: backoff (restarting in 1 s)"


def test_want_down_during_back_off_stops_at_once_and_cancels_the_restart(
    host: FakeHost, make_runner: MakeRunner, drive: Any, run_due: Any, clock: Any
) -> None:
    runner = make_runner(["/bin/false"])
    _start(runner)
    drive(host.loop, lambda: runner.state is State.BACKOFF)
    runner.handle(Event.WANT_DOWN)
    assert (runner.state, runner.want) == (State.DOWN, Want.DOWN)
    assert host.settled_states == [State.DOWN]
    clock.advance(60)
    run_due(host.loop)
    assert (runner.state, runner.spawns) == (State.DOWN, 2)


def test_want_up_during_back_off_restarts_at_once_with_a_fresh_run(
    host: FakeHost, make_runner: MakeRunner, drive: Any
) -> None:
    host.start_when_kicked = True
    runner = make_runner(["/bin/false"])
    _start(runner)
    drive(host.loop, lambda: runner.state is State.BACKOFF)
    host.start_when_kicked = False
    runner.handle(Event.WANT_UP)
    assert (runner.state, runner.quick_exits) == (State.WAITING, 0)


def test_want_down_stops_a_running_service_with_its_stop_signal(
    host: FakeHost, make_runner: MakeRunner, drive: Any
) -> None:
    runner = make_runner(["sleep", "30"], stop_signal=signal.SIGINT)
    _start(runner)
    runner.handle(Event.WANT_DOWN)
    assert runner.state is State.STOPPING
    drive(host.loop, lambda: runner.state.settled)
    assert (runner.state, runner.last_exit) == (State.DOWN, Exit(signal=signal.SIGINT))
    assert "service web: stopping (sending SIGINT)" in host.messages()
    assert "service web: killed by SIGINT after 0.0 s" in host.messages()


def test_stop_timeout_kills_a_service_that_ignores_its_stop_signal(
    host: FakeHost, make_runner: MakeRunner, drive: Any, run_due: Any, clock: Any
) -> None:
    runner = make_runner(
        TERM_IGNORING_SLEEP, stop_timeout=3, ready=Readiness(ReadyKind.NOTIFY_FD, fd=3)
    )
    _start(runner)
    drive(host.loop, lambda: runner.state is State.UP)  # the TERM trap is in place
    runner.handle(Event.WANT_DOWN)
    clock.advance(2.9)
    run_due(host.loop)
    assert runner.state is State.STOPPING
    clock.advance(0.1)
    run_due(host.loop)
    drive(host.loop, lambda: runner.state.settled)
    assert runner.last_exit == Exit(signal=signal.SIGKILL)
    assert "service web: still running, sent SIGKILL" in host.messages()


def test_restart_request_restarts_even_when_the_policy_says_never(
    host: FakeHost, make_runner: MakeRunner, drive: Any
) -> None:
    runner = make_runner(["sleep", "30"], restart=Restart.NEVER)
    _start(runner)
    first_pid = runner.pid
    runner.handle(Event.WANT_RESTART)
    assert runner.state is State.STOPPING
    drive(host.loop, lambda: runner.spawns == 2 and runner.state is State.UP)
    assert runner.pid != first_pid
    assert (runner.want, runner.quick_exits) == (Want.UP, 0)
    assert runner.last_exit == Exit(signal=signal.SIGTERM)


def test_restart_of_a_failed_service_starts_it(
    host: FakeHost, make_runner: MakeRunner, drive: Any
) -> None:
    runner = make_runner(["/bin/false"], restart=Restart.NEVER)
    _start(runner)
    drive(host.loop, lambda: runner.state is State.FAILED)
    host.start_when_kicked = False
    runner.handle(Event.WANT_RESTART)
    assert (runner.state, runner.want) == (State.WAITING, Want.UP)


def test_up_while_stopping_wins_over_the_restart_policy(
    host: FakeHost, make_runner: MakeRunner, drive: Any
) -> None:
    runner = make_runner(["sleep", "30"], restart=Restart.NEVER)
    _start(runner)
    runner.handle(Event.WANT_DOWN)
    runner.handle(Event.WANT_UP)
    drive(host.loop, lambda: runner.spawns == 2 or runner.state.settled)
    assert (runner.state, runner.want) == (State.UP, Want.UP)


def test_a_restart_cancelled_by_down_does_not_linger(
    host: FakeHost, make_runner: MakeRunner, drive: Any
) -> None:
    runner = make_runner(["sleep", "30"], restart=Restart.NEVER)
    _start(runner)
    runner.handle(Event.WANT_RESTART)
    runner.handle(Event.WANT_DOWN)
    drive(host.loop, lambda: runner.state.settled)
    assert runner.state is State.DOWN
    _start(runner)
    assert runner.proc is not None
    os.kill(runner.proc.pid, signal.SIGKILL)
    drive(host.loop, lambda: runner.spawns == 3 or runner.state.settled)
    assert (runner.state, runner.spawns) == (State.FAILED, 2)


# --- shutdown -----------------------------------------------------------------------------------


def test_nothing_starts_once_the_container_is_stopping(
    host: FakeHost, make_runner: MakeRunner
) -> None:
    runner = make_runner(["/bin/true"])
    host.shutting_down = True
    for event in (Event.WANT_UP, Event.WANT_ONCE, Event.WANT_RESTART):
        runner.handle(event)
        # want keeps its initial value (up, what supervision would give it): nothing changed
        assert (runner.state, runner.want, runner.spawns) == (State.DOWN, Want.UP, 0)


def test_shutdown_during_back_off_settles_down_and_cancels_the_restart(
    host: FakeHost, make_runner: MakeRunner, drive: Any, run_due: Any, clock: Any
) -> None:
    runner = make_runner(["/bin/false"])
    _start(runner)
    drive(host.loop, lambda: runner.state is State.BACKOFF)
    host.shutting_down = True
    runner.handle(Event.SHUTDOWN)
    assert (runner.state, runner.want) == (State.DOWN, Want.DOWN)
    clock.advance(60)
    run_due(host.loop)
    assert runner.spawns == 2


def test_shutdown_of_a_running_service_waits_for_stop_now(
    host: FakeHost, make_runner: MakeRunner, drive: Any
) -> None:
    runner = make_runner(["sleep", "30"])
    _start(runner)
    host.shutting_down = True
    runner.handle(Event.SHUTDOWN)
    assert (runner.state, runner.want) == (State.UP, Want.DOWN)
    runner.handle(Event.STOP_NOW)
    drive(host.loop, lambda: runner.state.settled)
    assert (runner.state, runner.spawns) == (State.DOWN, 1)
    assert host.settled_states == [State.DOWN]


# --- readiness timeout, finish scripts, spawn failures --------------------------------------------


def test_a_service_not_ready_in_time_is_stopped_and_restarted(
    host: FakeHost, make_runner: MakeRunner, drive: Any, run_due: Any, clock: Any
) -> None:
    runner = make_runner(
        ["sleep", "30"], ready=Readiness(ReadyKind.NOTIFY_FD, fd=3), ready_timeout=5
    )
    _start(runner)
    assert runner.state is State.STARTING
    clock.advance(5)
    run_due(host.loop)
    assert runner.state is State.STOPPING
    assert host.messages(Level.ERROR) == [
        "service web: not ready after 5 s (notify_fd fd 3); stopping it"
    ]
    host.start_when_kicked = False
    drive(host.loop, lambda: runner.state is State.WAITING)


def _finish_script(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "finish.sh"
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    return path


@pytest.mark.parametrize(
    ("argv", "arguments"),
    [(["/bin/sh", "-c", "exit 3"], "3 0"), (["/bin/sh", "-c", "kill -KILL $$"], "-1 9")],
)
def test_finish_script_gets_the_exit_code_and_signal(
    argv: list[str],
    arguments: str,
    tmp_path: Path,
    host: FakeHost,
    make_runner: MakeRunner,
    drive: Any,
) -> None:
    finish = _finish_script(tmp_path, f'echo "$@" > {tmp_path}/finish-args')
    host.start_when_kicked = False
    runner = make_runner(argv, finish=finish)
    _start(runner)
    runner.handle(Event.DEPS_READY)
    drive(host.loop, lambda: runner.state is State.WAITING)
    assert (tmp_path / "finish-args").read_text() == arguments + "\n"


def test_a_finish_script_that_hangs_is_killed_after_finish_timeout(
    tmp_path: Path,
    host: FakeHost,
    make_runner: MakeRunner,
    drive: Any,
    run_due: Any,
    clock: Any,
) -> None:
    finish = _finish_script(tmp_path, "exec sleep 30")
    host.start_when_kicked = False
    runner = make_runner(["/bin/true"], finish=finish, finish_timeout=2)
    _start(runner)
    runner.handle(Event.DEPS_READY)
    drive(host.loop, lambda: runner.state is State.FINISHING)
    clock.advance(2)
    run_due(host.loop)
    drive(host.loop, lambda: runner.state is State.WAITING)
    assert host.messages()[-2:] == [
        "service web: finish.sh still running after 2 s, sent SIGKILL",
        "service web: finish.sh killed by SIGKILL",
    ]


def test_a_program_that_does_not_exist_counts_as_exit_127(
    host: FakeHost, make_runner: MakeRunner
) -> None:
    runner = make_runner(["/nonexistent/process.sh"])
    _start(runner)
    # Two failed starts in a row: the second one backs off instead of spinning.
    assert (runner.state, runner.spawns) == (State.BACKOFF, 2)
    assert runner.last_exit == Exit(code=127)
    assert host.messages(Level.ERROR)[0] == (
        "service web: cannot execute /nonexistent/process.sh: No such file or directory"
    )


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_a_failed_start_with_notify_fd_leaks_no_descriptor(
    host: FakeHost, make_runner: MakeRunner
) -> None:
    host.start_when_kicked = False
    runner = make_runner(["/nonexistent/process.sh"], ready=Readiness(ReadyKind.NOTIFY_FD, fd=3))
    _start(runner)
    before = _open_fds()
    runner.handle(Event.DEPS_READY)
    assert _open_fds() == before


# --- status -------------------------------------------------------------------------------------


def test_status_of_a_running_service(host: FakeHost, make_runner: MakeRunner, clock: Any) -> None:
    runner = make_runner(["sleep", "30"], critical=True)
    _start(runner)
    clock.advance(2.5)
    assert runner.status() == {
        "name": "web",
        "state": "up",
        "pid": runner.proc.pid if runner.proc else None,
        "uptime": 2.5,
        "restarts": 0,
        "ready": True,
        "want": "up",
        "critical": True,
        "last_exit": None,
    }


def test_status_after_a_kill_shows_the_signal_name(
    host: FakeHost, make_runner: MakeRunner, drive: Any
) -> None:
    host.start_when_kicked = False
    runner = make_runner(["sleep", "30"])
    _start(runner)
    runner.handle(Event.DEPS_READY)
    assert runner.proc is not None
    os.kill(runner.proc.pid, signal.SIGKILL)
    drive(host.loop, lambda: runner.state is State.WAITING)
    status = runner.status()
    assert (status["pid"], status["last_exit"]) == (None, {"code": None, "signal": "SIGKILL"})
