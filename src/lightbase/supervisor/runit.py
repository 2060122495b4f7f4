"""`lightbase run --supervisor runit`: hand the service processes to a real runit `runsvdir`.

lightbase keeps startup, the environment, signals, the shutdown deadline and the exit code. It
supervises one child, `runsvdir RUN/process`, as a service named `runsvdir`; each service's
process.sh runs under runit's `runsv` through a `RUN/process/NAME/run` link.

runsvdir runs without `-P`, on purpose: runsvdir, every runsv and every service then stay in
the one process group lightbase made for runsvdir. "Is any of it still alive?" is one
kill(-pgid, 0), and the deadline's SIGKILL reaches all of it at once. Stopping sends SIGHUP
to runsvdir alone: runsvdir then sends TERM to each runsv, and each runsv stops its service
(TERM, then CONT), runs its finish script, and exits (runsvdir(8), runsv(8)).
"""

from __future__ import annotations

import os
import signal
from collections.abc import Mapping, Sequence
from enum import Enum
from pathlib import Path

from ..errors import ConfigError
from ..services import Readiness, ReadyKind, Restart, Service, ServiceConfig
from .core import Supervisor
from .runner import Host, Runner
from .states import State
from .waitstatus import Exit, signal_name

NAME = "runsvdir"  # the one service lightbase supervises under runit
PROGRAMS = ("runsvdir", "runsv", "sv")
# The readiness check: a constant script, the programs and directories come as its arguments.
QUIET = 'exec "$@" >/dev/null 2>&1'
INSTALL_HINT = "install runit (Debian/Ubuntu: apt-get install runit; Alpine: apk add runit)"

# The signals runsv can deliver to its service, as commands for its control pipe (runsv(8)).
COMMANDS: dict[int, bytes] = {
    signal.SIGHUP: b"h",
    signal.SIGUSR1: b"1",
    signal.SIGUSR2: b"2",
    signal.SIGALRM: b"a",
    signal.SIGINT: b"i",
    signal.SIGQUIT: b"q",
    signal.SIGTERM: b"t",
    signal.SIGCONT: b"c",
    signal.SIGSTOP: b"p",
}
EXIT_COMMAND = b"x"  # stop the service, do not restart it, then exit

# service.yaml settings that only lightbase's own supervisor implements.
LIGHTBASE_ONLY = (
    "depends_on",
    "ready",
    "ready_timeout",
    "restart",
    "critical",
    "stop_signal",
    "stop_timeout",
    "user",
    "log_prefix",
    "reload_signal",
    "forward_signals",
    "finish_timeout",
    "backoff_max",
    "stable_after",
)


def runsvdir_config(sv: Path, directories: Sequence[Path]) -> ServiceConfig:
    """How lightbase supervises runsvdir: ready once runsv runs every service, never restarted."""
    check = ("/bin/sh", "-c", QUIET, "sh", str(sv), "-w", "0", "check", *map(str, directories))
    return ServiceConfig(
        # `sv check` without waiting, retried by the probe, quiet: until runsv has created its
        # control files, each try would print a warning.
        ready=Readiness(kind=ReadyKind.CMD, command=check),
        ready_timeout=0,  # as runsv: keep trying
        restart=Restart.NEVER,
        critical=True,  # runsvdir gone means nothing supervises the services: the container ends
        stop_signal=signal.SIGHUP,
        log_prefix=False,  # runsvdir's output is the services' output: leave it as it is
        forward_signals=(signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2),
    )


class Supervision(Enum):
    """Who supervises the service processes."""

    LIGHTBASE = "lightbase"
    RUNIT = "runit"


def ignored_settings(config: ServiceConfig) -> list[str]:
    """The service.yaml settings that differ from their defaults and that runit ignores."""
    default = ServiceConfig()
    return [name for name in LIGHTBASE_ONLY if getattr(config, name) != getattr(default, name)]


def find_runit(environ: Mapping[str, str]) -> dict[str, Path]:
    """Absolute paths of runsvdir, runsv (which runsvdir starts by name) and sv."""
    import shutil  # only under runit: lifecycle imports this module for every run

    path = environ.get("PATH", os.defpath)
    found = {name: shutil.which(name, path=path) for name in PROGRAMS}
    missing = [name for name, where in found.items() if where is None]
    if missing:
        names = " and ".join(filter(None, (", ".join(missing[:-1]), missing[-1])))
        raise ConfigError(f"--supervisor runit: {names} not found on PATH; {INSTALL_HINT}")
    return {name: Path(str(where)) for name, where in found.items()}


def link_services(process_dir: Path, services: Sequence[Service], finish: bool) -> list[str]:
    """Rebuild `process_dir` with NAME/run (and NAME/finish) links; returns what it linked.

    The directory is lightbase's and is rebuilt from scratch at each start, so neither a
    service removed since the last start nor the `supervise/` state runsv left there can
    confuse the runsv processes of this start.
    """
    if process_dir.is_symlink() or process_dir.is_file():
        process_dir.unlink()
    elif process_dir.exists():
        import shutil  # only under runit (see find_runit)

        shutil.rmtree(process_dir)
    process_dir.mkdir(mode=0o755)
    linked = []
    for service in services:
        directory = process_dir / service.name
        directory.mkdir()
        pairs = [(service.process, "run"), (service.finish if finish else None, "finish")]
        for target, name in pairs:
            if target is not None:
                (directory / name).symlink_to(target)
                linked.append(f"link {target} to {directory / name}")
    return linked


def attach(
    supervisor: Supervisor,
    services: Sequence[Service],
    process_dir: Path,
    environ: Mapping[str, str],
) -> list[Service]:
    """Put runsvdir in charge of `services`; returns the services lightbase supervises itself.

    Raises ConfigError when runit is not installed. Warns once per service whose service.yaml
    sets something runit ignores.
    """
    if not services:
        return []  # nothing to hand over: no runsvdir either
    programs = find_runit(environ)
    for service in services:
        ignored = ignored_settings(service.config)
        if ignored:
            supervisor.log.warning(
                f"service/{service.name}/service.yaml: ignored under --supervisor runit: "
                + ", ".join(ignored)
            )
    supervisor.runners[NAME] = RunsvdirRunner(supervisor, programs, process_dir, services)
    supervisor.log.info(f"processes are supervised by runit: {programs['runsvdir']} {process_dir}")
    return []


class RunsvdirRunner(Runner):
    """The runner of `runsvdir RUN/process`: the usual runner, except how signals get sent."""

    # Its group holds every runsv and service: when runsvdir dies, _after_exit asks each
    # runsv to stop its service gracefully instead.
    kill_leftovers = False

    def __init__(
        self,
        host: Host,
        programs: Mapping[str, Path],
        process_dir: Path,
        services: Sequence[Service],
    ) -> None:
        config = runsvdir_config(programs["sv"], [process_dir / s.name for s in services])
        service = Service(name=NAME, directory=process_dir, config=config)
        super().__init__(
            service,
            host,
            argv=[programs["runsvdir"], process_dir],
            restart=Restart.NEVER,
            critical=True,
        )
        self.services = list(services)
        self.process_dir = process_dir
        self._linked = False

    def _spawn(self) -> None:
        if not self._linked:  # once: a second runsvdir must find the runsv's of the first
            try:
                lines = link_services(self.process_dir, self.services, not self.host.skip_finish())
            except OSError as exc:
                self.host.log.error(f"cannot link services into {self.process_dir}: {exc}")
                self.last_exit = Exit(code=1)
                self._after_exit()
                return
            for line in lines:
                self.host.log.debug(line)
            self._linked = True
        super()._spawn()

    def _send_stop(self, requested: bool = False) -> None:
        self._stop_requested = requested
        self._enter(State.STOPPING, "sending SIGHUP: each runsv stops its service")
        if self.proc is not None:
            try:
                os.kill(self.proc.pid, signal.SIGHUP)  # runsvdir alone, not the group
            except ProcessLookupError:
                pass

    def signal_group(self, signum: int) -> bool:
        """Signals runsv can deliver go to each service through runsv; others to the group."""
        command = COMMANDS.get(signum)
        if command is None:
            if signum == signal.SIGKILL and self.state.settled:
                still = ", ".join(self.running_services()) or "none"
                self.host.log.warning(f"service {NAME}: services still running: {still}")
            return super().signal_group(signum)
        reached = self.tell_services(command)
        self.host.log.debug(
            f"service {NAME}: {signal_name(signum)} sent through runsv to "
            + (", ".join(reached) or "no service")
        )
        return bool(reached)

    def tell_services(self, command: bytes) -> list[str]:
        """Write a runsv control command for each service; returns the names it reached."""
        reached = []
        for service in self.services:
            control = self.process_dir / service.name / "supervise" / "control"
            try:  # non-blocking: with no runsv reading, the open fails instead of hanging
                fd = os.open(control, os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC)
            except OSError:
                continue
            try:
                os.write(fd, command)
                reached.append(service.name)
            except OSError:
                pass
            finally:
                os.close(fd)
        return reached

    def running_services(self) -> list[str]:
        """The services whose runsv reports a process (runsv empties `supervise/pid` when down)."""
        names = []
        for service in self.services:
            try:
                pid = (self.process_dir / service.name / "supervise" / "pid").read_text()
            except OSError:
                continue
            if pid.strip():
                names.append(service.name)
        return names

    def _after_exit(self) -> None:
        # runsvdir ended without our SIGHUP (killed, crashed), so nobody told its runsv's,
        # now our orphans, to stop: have each stop its service and exit within the deadline.
        # After our SIGHUP runsvdir did tell them; telling again would TERM the services twice.
        if self.state is not State.STOPPING:
            self.tell_services(EXIT_COMMAND)
        super()._after_exit()
