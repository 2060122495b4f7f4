"""The supervisor: PID 1's event loop from the first startup script to the last exit.

It owns the signals (stop, escalate, forward), runs startup scripts in the foreground, starts
services in dependency order as their dependencies become ready, answers the control socket,
and stops everything inside one shared deadline. Per-service behaviour lives in `runner.py`.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from ..errors import LightbaseError
from ..log import Logger
from ..services import Restart, Service, ServiceConfig
from ..users import Credentials
from . import reaper
from .control_server import ControlServer
from .loop import EventLoop
from .output import Prefixer
from .requests import Requests
from .runner import Runner
from .spawn import Process, SpawnError, Stdio, spawn
from .states import Event, Phase, State, Want
from .waitstatus import Exit, signal_name

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT)
FORWARD_SIGNALS = (signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2, signal.SIGWINCH)
MAIN = "MAIN_COMMAND"
# After the last SIGKILL, how long to wait for the kernel to deliver the exits before leaving.
KILL_GRACE = 1.0


class Options(NamedTuple):
    kill_process_timeout: float = 7.0  # KILL_PROCESS_TIMEOUT: one deadline for every stop
    kill_all_timeout: float = 2.0  # KILL_ALL_PROCESSES_TIMEOUT: for what remains after that
    kill_all_on_exit: bool = True
    log_prefix: bool = False
    skip_finish: bool = False
    keepalive: bool = False


DEFAULT_OPTIONS = Options()


class Supervisor:
    def __init__(self, log: Logger, options: Options = DEFAULT_OPTIONS) -> None:
        self.log = log
        self.options = options
        self.loop = EventLoop()
        self.phase = Phase.STARTUP
        self.shutting_down = False
        self.stop_requested = False
        self.exit_code = 0
        self.runners: dict[str, Runner] = {}
        self.main: Runner | None = None
        self.pid1 = os.getpid() == 1
        if not self.pid1 and not reaper.become_subreaper():
            log.warning("cannot become a child subreaper: orphans will not be reaped by lightbase")
        self._env: dict[str, str] = {}
        self._foreground: Process | None = None  # the startup script running now
        self._prefixers: dict[str, Prefixer] = {}
        self._control: ControlServer | None = None
        self.requests = Requests(self)
        self._stop_signalled: set[str] = set()
        self._final_phase = False
        self._done = False
        self.loop.handle_signals([signal.SIGCHLD], self._on_sigchld)
        self.loop.handle_signals(STOP_SIGNALS, self._on_stop_signal)
        self.loop.handle_signals(FORWARD_SIGNALS, self._on_forward_signal)
        self.loop.on_orphan_pid = self._orphan_reaped
        # `lightbase run` blocks these until now (see cli.main); pending ones arrive here.
        signal.pthread_sigmask(
            signal.SIG_UNBLOCK, (signal.SIGCHLD, *STOP_SIGNALS, *FORWARD_SIGNALS)
        )

    # --- setup ---------------------------------------------------------------------------

    def serve_control(self, path: Path) -> None:
        self._control = ControlServer(self.loop, path, self.requests.handle)

    def set_environment(self, env: Mapping[str, str]) -> None:
        """The environment every service, finish script and MAIN_COMMAND gets."""
        self._env = dict(env)

    # --- startup scripts -------------------------------------------------------------------

    def run_script(self, path: Path, env: Mapping[str, str]) -> Exit:
        """Run one startup script in the foreground; stop signals reach it (and only it)."""
        try:
            proc = spawn([path], env, cwd=path.parent)
        except SpawnError as exc:
            raise LightbaseError(f"{path}: {exc}", exit_code=exc.exit_code) from None
        self._foreground = proc
        statuses: list[int] = []
        self.loop.watch_child(proc.pid, statuses.append)
        if self.stop_requested:
            self._signal_foreground(signal.SIGTERM)
        self.loop.run_until(lambda: bool(statuses))
        self._foreground = None
        return Exit.from_status(statuses[0])

    def _signal_foreground(self, signum: int) -> None:
        if self._foreground is None:
            return
        try:
            os.killpg(self._foreground.pid, signum)
            os.killpg(self._foreground.pid, signal.SIGCONT)
        except ProcessLookupError:
            pass
        if signum != signal.SIGKILL:
            pid = self._foreground.pid
            self.loop.call_later(self.options.kill_process_timeout, lambda: self._kill_group(pid))

    def _kill_group(self, pgid: int) -> None:
        try:
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    # --- supervision -----------------------------------------------------------------------

    def add_services(
        self,
        services: Sequence[Service],
        credentials: Mapping[str, Credentials],
        main_command: Sequence[str] | None = None,
    ) -> None:
        """Know the services (in dependency order) from the start, so status lists them."""
        single = len(services) == 1 and not main_command
        for service in services:
            restart = service.config.restart or (Restart.NEVER if single else Restart.ALWAYS)
            critical = service.config.critical if service.config.critical is not None else single
            self.runners[service.name] = Runner(
                service,
                self,
                argv=[service.process] if service.process else [],
                credentials=credentials.get(service.name),
                restart=restart,
                critical=critical,
            )
        if main_command:
            main_service = Service(
                name=MAIN,
                directory=Path.cwd(),
                config=ServiceConfig(depends_on=tuple(self.runners), ready_timeout=0),
            )
            self.main = Runner(
                main_service, self, argv=main_command, restart=Restart.NEVER, interactive=True
            )

    def supervise(self) -> int:
        """Start the services and run until the container ends; returns the exit code."""
        if self.shutting_down:  # startup failed: only the stopping is left to do
            pass
        elif self.stop_requested:
            self.begin_shutdown(0, "")
        else:
            self.phase = Phase.RUNNING
            for runner in self._all_runners():
                # `sv down` or `sv once` during startup decided what this service wants.
                runner.handle(_STARTS[runner.want])
            if not self._all_runners() and not self.options.keepalive:
                self.log.info("no service to supervise")
                self.begin_shutdown(0, "")
        self.loop.run_until(lambda: self._done)
        return self.exit_code

    def sleep(self, seconds: float) -> None:
        """Wait while signals keep working: a stop signal ends the wait early."""
        due: list[bool] = []
        self.loop.call_later(seconds, lambda: due.append(True))
        self.loop.run_until(lambda: bool(due) or self.stop_requested)

    def finish(self) -> None:
        """Stop serving (after supervise, or when startup failed)."""
        for prefixer in self._prefixers.values():
            prefixer.flush()
        if self._control is not None:
            self._control.close()
            self._control = None

    def _all_runners(self) -> list[Runner]:
        runners = list(self.runners.values())
        return [*runners, self.main] if self.main else runners

    # --- what runners ask of us (runner.Host) ------------------------------------------------

    def environment(self, runner: Runner) -> Mapping[str, str]:
        return self._env

    def stdio(self, runner: Runner) -> Stdio:
        if runner.interactive:
            return Stdio(stdin=None)
        wanted = runner.config.log_prefix
        if not (self.options.log_prefix if wanted is None else wanted):
            return Stdio()
        prefixer = self._prefixers.get(runner.name)
        if prefixer is None:
            prefixer = self._prefixers[runner.name] = Prefixer(self.loop, runner.name)
        return prefixer.stdio()

    def skip_finish(self) -> bool:
        return self.options.skip_finish

    def kick(self, runner: Runner) -> None:
        if runner.state is State.WAITING and self._dependencies_ready(runner):
            runner.handle(Event.DEPS_READY)

    def _dependencies_ready(self, runner: Runner) -> bool:
        for name in runner.config.depends_on:
            dep = self.runners.get(name)
            # A dependency without a process (startup only) or one that ran to completion
            # counts as ready.
            if dep is not None and not (dep.ready or dep.state is State.FINISHED):
                return False
        return True

    def readiness_changed(self, runner: Runner) -> None:
        if runner.ready:
            for other in self._all_runners():
                if runner.name in other.config.depends_on:
                    self.kick(other)
        self.requests.readiness_changed()

    def settled(self, runner: Runner) -> None:
        if self.shutting_down:
            self._shutdown_progress()
            return
        for other in self._all_runners():  # a finished dependency counts as ready
            if runner.name in other.config.depends_on:
                self.kick(other)
        ended = runner.last_exit or Exit(code=0)
        if runner is self.main:
            self.begin_shutdown(ended.exit_code, f"MAIN_COMMAND {ended.describe()}")
        elif runner.critical and runner.state in (State.FINISHED, State.FAILED):
            self.begin_shutdown(
                ended.exit_code,
                f"service {runner.name} ended the container: {ended.describe()} (critical)",
            )
        elif not self.options.keepalive and self._all_ended_by_themselves():
            failed = [r for r in self.runners.values() if r.state is State.FAILED]
            code = (failed[-1].last_exit or Exit(code=1)).exit_code if failed else 0
            self.begin_shutdown(code, "every service has ended")

    def _all_ended_by_themselves(self) -> bool:
        runners = self._all_runners()
        return bool(runners) and all(r.state in (State.FINISHED, State.FAILED) for r in runners)

    # --- signals -----------------------------------------------------------------------------

    def _on_sigchld(self, _: int) -> None:
        self.loop.reap()
        if self._final_phase:
            self._final_progress()
        elif self.shutting_down:
            self._shutdown_progress()

    def _orphan_reaped(self, pid: int, status: int) -> None:
        self.log.trace(f"reaped orphan pid {pid}: {Exit.from_status(status).describe()}")

    def _on_stop_signal(self, signum: int) -> None:
        name = signal_name(signum)
        if self.stop_requested:
            self.log.warning(f"{name} received again: killing everything now")
            self._escalate()
            return
        self.stop_requested = True
        self.log.info(f"{name} received: stopping")
        if self.phase is Phase.STARTUP:
            self._signal_foreground(signal.SIGTERM)
        else:
            self.begin_shutdown(0, "")

    def _escalate(self) -> None:
        self._signal_foreground(signal.SIGKILL)
        for runner in self._all_runners():
            runner.signal_group(signal.SIGKILL)
        if self.shutting_down and not self._final_phase:
            self._deadline_reached()

    def _on_forward_signal(self, signum: int) -> None:
        name = signal_name(signum)
        if self.phase is Phase.STARTUP:
            if self._foreground is not None:
                try:
                    os.killpg(self._foreground.pid, signum)
                except ProcessLookupError:
                    pass
                self.log.info(f"{name}: forwarded to the running startup script")
            else:
                self.log.info(f"{name}: no process to forward it to yet")
            return
        reached = []
        for runner in self._all_runners():
            if not runner.state.running or signum not in runner.config.forward_signals:
                continue
            sent = runner.config.reload_signal if signum == signal.SIGHUP else None
            if runner.signal_group(sent or signum):
                reached.append(runner.name + (f" (as {sent.name})" if sent else ""))
        self.log.info(f"{name}: forwarded to {', '.join(reached) or 'no running service'}")

    # --- shutdown ----------------------------------------------------------------------------

    def begin_shutdown(self, code: int, reason: str) -> None:
        if self.shutting_down:
            return
        if reason:
            self.log.info(f"{reason}: stopping")
        self.shutting_down = True
        self.phase = Phase.STOPPING
        self.exit_code = code
        self.loop.call_later(self.options.kill_process_timeout, self._deadline_reached)
        for runner in self._all_runners():
            runner.handle(Event.SHUTDOWN)
        self._shutdown_progress()

    def _stopped(self, runner: Runner) -> bool:
        return runner.state.settled and not runner.group_alive()

    def _shutdown_progress(self) -> None:
        """Stop each service once everything that depends on it has stopped."""
        if self._final_phase:
            return
        runners = self._all_runners()
        for runner in runners:
            if runner.name in self._stop_signalled or not runner.state.running:
                continue
            dependents = [r for r in runners if runner.name in r.config.depends_on]
            if all(self._stopped(d) for d in dependents):
                self._stop_signalled.add(runner.name)
                runner.handle(Event.STOP_NOW)
        if all(self._stopped(r) for r in runners):
            self._kill_everything_else()

    def _deadline_reached(self) -> None:
        if self._final_phase:
            return
        alive = [r for r in self._all_runners() if not self._stopped(r)]
        if alive:
            names = ", ".join(r.name for r in alive)
            self.log.warning(
                f"still running after {self.options.kill_process_timeout:g} s: {names}; "
                "sending SIGKILL"
            )
        for runner in alive:
            runner.signal_group(signal.SIGKILL)
        self._kill_everything_else()

    def _kill_everything_else(self) -> None:
        """The last step: whatever is left in the container gets TERM, then KILL."""
        self._final_phase = True
        if not self.options.kill_all_on_exit or not self.loop.has_children():
            self._finish_loop()
            return
        self.log.debug("sending SIGTERM to the remaining processes")
        reaper.signal_everyone(signal.SIGTERM, pid1=self.pid1)
        reaper.signal_everyone(signal.SIGCONT, pid1=self.pid1)
        self.loop.call_later(self.options.kill_all_timeout, self._kill_all_now)

    def _kill_all_now(self) -> None:
        if self._done:
            return
        self.log.warning("processes still running: sending SIGKILL")
        reaper.signal_everyone(signal.SIGKILL, pid1=self.pid1)
        self.loop.call_later(KILL_GRACE, self._finish_loop)

    def _final_progress(self) -> None:
        if not self.loop.has_children():
            self._finish_loop()

    def _finish_loop(self) -> None:
        self._done = True


_STARTS = {Want.UP: Event.WANT_UP, Want.ONCE: Event.WANT_ONCE, Want.DOWN: Event.WANT_DOWN}

__all__ = ["MAIN", "Options", "Phase", "Supervisor", "Want"]
