"""The boot sequence of `lightbase run`, as plain steps that read like its log:

    validate configuration -> prepare run dir -> environment -> startup scripts
    -> processes -> finish

Each step is a function; `boot` calls them in order. Supervision and PID 1 duties belong to
`supervisor/`, which is created first so that signals are handled from the very start.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from . import __version__, env, users
from .errors import ConfigError, LightbaseError, StartupError
from .layout import Layout
from .log import Level, Logger, secret_words
from .services import Service, discover, order
from .supervisor import MAIN, Options, Supervisor, runit

KILL_PROCESS_TIMEOUT = "KILL_PROCESS_TIMEOUT"
KILL_ALL_PROCESSES_TIMEOUT = "KILL_ALL_PROCESSES_TIMEOUT"
WAIT_POLL = 0.1  # seconds between looks at the state dir when asked to wait for a state


class RunOptions(NamedTuple):
    root: str | None = None
    run_dir: str | None = None
    loglevel: Level = Level.INFO
    skip_env_files: bool = False
    skip_startup_files: bool = False
    skip_process_files: bool = False
    skip_finish_files: bool = False
    run_only: bool = False
    keep_startup_env: bool = False
    copy_service: bool = False
    supervisor: runit.Supervision = runit.Supervision.LIGHTBASE
    wait_state: str | None = None
    wait_first_startup: bool = False
    wait_timeout: float = 60.0
    keepalive: bool = False
    dont_touch_etc_hosts: bool = False
    kill_all_on_exit: bool = True
    log_prefix: bool = False
    main_command: Sequence[str] = ()


def boot(options: RunOptions, process_env: Mapping[str, str]) -> int:
    """Run the container; returns the exit code (errors before anything ran raise)."""
    log = Logger(options.loglevel)
    layout = Layout.resolve(process_env, options.root, options.run_dir)
    supervisor = Supervisor(log)
    log.info(f"lightbase {__version__}: container root {layout.root}, log level {log.level.name}")
    try:
        services, credentials = validate(layout, options, log)
        # A second `run` in a running container (docker exec) is a guest: it may run a
        # command beside the first one, never take its run dir over.
        guest = another_lightbase_serves(layout)
        if guest and not options.run_only:
            raise ConfigError(
                f"lightbase already runs with run dir {layout.run_dir} (its control socket "
                "answers); to run a command beside it: lightbase run --run-only -- COMMAND"
            )
        if not wait_for_state(layout, options, log, supervisor):
            return 0  # stopped while waiting
        service_dir = layout.service_dir if guest else prepare_run_dir(layout, options, log)
        if service_dir != layout.service_dir:  # --copy-service: every script runs from the copy
            services = order(discover(service_dir, log.warning, layout.root))
        processes = [] if options.skip_process_files or options.run_only else services
        processes = [s for s in processes if s.process is not None]
        supervised = processes
        if options.supervisor is runit.Supervision.RUNIT:
            supervised = runit.attach(supervisor, processes, layout.process_dir, process_env)
        supervisor.add_services(supervised, credentials, options.main_command or None)
        environment = load_environment(layout, options, process_env, log, export=not guest)
        supervisor.options = supervisor_options(environment, options)
        if not guest:
            supervisor.serve_control(layout.control_socket)
        variables = script_variables(layout, service_dir, log.level)
        if not options.dont_touch_etc_hosts:
            add_hostname_to_etc_hosts(log)
        try:
            environment = run_startup_scripts(
                supervisor, services, environment, layout, variables, options, log
            )
        except StartupError as exc:
            log.error(str(exc))
            supervisor.begin_shutdown(exc.exit_code, "")  # stops what the scripts left running
            supervisor.supervise()
            return exc.exit_code
        if guest:
            environment = environment.without_startup()
        else:
            environment = drop_startup_environment(environment, layout, options, log)
        supervisor.set_environment({**environment.as_dict(), **variables})
        if not supervisor.stop_requested:
            names = ", ".join(s.name for s in processes) or "none"
            log.info(f"starting processes: {names}")
        code = supervisor.supervise()
        log.info(f"exiting with code {code}")
        return code
    finally:
        supervisor.finish()


# --- steps ------------------------------------------------------------------------------------


def another_lightbase_serves(layout: Layout) -> bool:
    """Does a lightbase answer on this run dir's control socket?"""
    import socket  # only here: the init itself never needs the socket wrapper

    if not layout.control_socket.is_socket():
        return False
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(str(layout.control_socket))
    except OSError:
        return False  # a socket file left by a lightbase that is gone
    finally:
        probe.close()
    return True


def validate(
    layout: Layout, options: RunOptions, log: Logger
) -> tuple[list[Service], dict[str, users.Credentials]]:
    log.info("validating configuration")
    if not layout.root.is_dir():
        raise ConfigError(f"container root {layout.root} is not a directory")
    services = order(discover(layout.service_dir, log.warning, layout.root))
    if any(s.name == MAIN for s in services):
        raise ConfigError(f"service/{MAIN}: the name is reserved for the MAIN_COMMAND")
    credentials = {}
    for service in services:
        if service.config.user is not None:
            try:
                credentials[service.name] = users.resolve(service.config.user)
            except LightbaseError as exc:
                raise ConfigError(f"service/{service.name}/service.yaml: user: {exc}") from None
    log.debug(f"services in order: {', '.join(s.name for s in services) or 'none'}")
    return services, credentials


def wait_for_state(
    layout: Layout, options: RunOptions, log: Logger, supervisor: Supervisor | None = None
) -> bool:
    """For a second `run` in a running container: wait until the first one got far enough.

    Returns False when a stop signal ended the wait (the supervisor's loop keeps signals
    working while we wait).
    """
    wanted = []
    if options.wait_first_startup:
        wanted.append(layout.first_startup_done)
    if options.wait_state:
        wanted.append(layout.state_dir / options.wait_state)
    if not wanted:
        return True
    log.info(f"waiting for {', '.join(str(p) for p in wanted)}")
    deadline = time.monotonic() + options.wait_timeout
    while not all(p.exists() for p in wanted):
        if supervisor is not None and supervisor.stop_requested:
            return False
        if time.monotonic() >= deadline:
            missing = ", ".join(str(p) for p in wanted if not p.exists())
            raise LightbaseError(f"still missing after {options.wait_timeout:g} s: {missing}")
        if supervisor is None:
            time.sleep(WAIT_POLL)
        else:
            supervisor.sleep(WAIT_POLL)
    return True


def prepare_run_dir(layout: Layout, options: RunOptions, log: Logger) -> Path:
    """Create the run and state dirs (idempotent); returns the service dir scripts use."""
    log.info(f"preparing run dir {layout.run_dir}")
    for name, path in (("run dir", layout.run_dir), ("state dir", layout.state_dir)):
        if path.exists() and not path.is_dir():
            raise ConfigError(f"{name} {path} is not a directory")
    try:
        layout.run_dir.mkdir(parents=True, exist_ok=True)
        layout.state_dir.mkdir(parents=True, exist_ok=True)
        layout.env_files_dir.mkdir(mode=0o700, exist_ok=True)
        layout.startup_done.unlink(missing_ok=True)  # from an earlier run of this container
        if not options.copy_service:
            return layout.service_dir
        import shutil  # only for --copy-service; with it come bz2, lzma and fnmatch

        copy = layout.copied_service_dir
        if copy.exists():
            shutil.rmtree(copy)
        if layout.service_dir.is_dir():
            shutil.copytree(layout.service_dir, copy, symlinks=True)
        return copy
    except OSError as exc:
        where = exc.filename or layout.run_dir
        raise ConfigError(f"cannot prepare run dir: {where}: {exc.strerror}") from None


def load_environment(
    layout: Layout,
    options: RunOptions,
    process_env: Mapping[str, str],
    log: Logger,
    export: bool = True,
) -> env.Environment:
    log.info("loading environment" + (" (skipping env files)" if options.skip_env_files else ""))
    environment = env.load(layout, process_env, skip_files=options.skip_env_files)
    values = environment.as_dict()
    log.redact.add(environment.secret_values(secret_words(values)))
    for variable in environment.values():
        # Redact before repr: repr escapes newlines, and the escaped text no longer matches.
        log.trace(f"{variable.name}={log.redact(variable.value)!r} from {variable.source}")
    if not export:
        return environment
    env.export(environment, layout, warn=log.warning)
    log.debug(f"{len(environment)} variables exported to {layout.env_sh}")
    return environment


def supervisor_options(environment: env.Environment, options: RunOptions) -> Options:
    values = environment.as_dict()
    return Options(
        kill_process_timeout=_seconds(values, KILL_PROCESS_TIMEOUT, 7.0),
        kill_all_timeout=_seconds(values, KILL_ALL_PROCESSES_TIMEOUT, 2.0),
        kill_all_on_exit=options.kill_all_on_exit,
        log_prefix=options.log_prefix,
        skip_finish=options.skip_finish_files or options.run_only,
        keepalive=options.keepalive,
    )


def _seconds(values: Mapping[str, str], name: str, default: float) -> float:
    text = values.get(name, "")
    if not text:
        return default
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < float("inf"):
        raise ConfigError(f"{name}: expected a number of seconds >= 0, got {text!r}")
    return seconds


def script_variables(layout: Layout, service_dir: Path, level: Level) -> dict[str, str]:
    """What lightbase tells every script and process about itself."""
    return {
        **layout.variables(),
        "CONTAINER_SERVICE_DIR": str(service_dir),
        "CONTAINER_LOG_LEVEL": str(int(level)),
    }


def add_hostname_to_etc_hosts(log: Logger, hosts: Path = Path("/etc/hosts")) -> None:
    """Make the hostname resolve; adds one line, once, only when it is missing."""
    hostname = os.uname().nodename  # what gethostname() returns, without importing socket
    try:
        text = hosts.read_text()
        if any(hostname in line.split("#", 1)[0].split()[1:] for line in text.splitlines()):
            return
        with hosts.open("a") as f:
            f.write(("" if text.endswith("\n") or not text else "\n") + f"127.0.1.1\t{hostname}\n")
        log.debug(f"added {hostname} to {hosts}")
    except OSError as exc:
        log.debug(f"cannot add {hostname} to {hosts}: {exc.strerror}")


def run_startup_scripts(
    supervisor: Supervisor,
    services: list[Service],
    environment: env.Environment,
    layout: Layout,
    variables: Mapping[str, str],
    options: RunOptions,
    log: Logger,
) -> env.Environment:
    if options.skip_startup_files or options.run_only:
        log.info("skipping startup scripts")
        return environment
    for service in services:
        if service.startup is None:
            continue
        if supervisor.stop_requested:
            break
        script = _shown(service.startup, layout.root)
        log.info(f"running {script}")
        exit_ = supervisor.run_script(service.startup, {**environment.as_dict(), **variables})
        if supervisor.stop_requested:
            log.info(f"{script} {exit_.describe()}; not starting anything else")
            break
        if not exit_.success:
            raise StartupError(f"{script} {exit_.describe()}", exit_code=exit_.exit_code)
        environment = env.collect_runtime(environment, layout)
        env.export(environment, layout, warn=log.warning)
    else:
        for marker in (layout.first_startup_done, layout.startup_done):
            marker.touch()
        log.info("startup done")
    return environment


def _shown(path: Path, root: Path) -> str:
    """Paths in the log are relative to the container root when they are inside it."""
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def drop_startup_environment(
    environment: env.Environment, layout: Layout, options: RunOptions, log: Logger
) -> env.Environment:
    """Startup-only variables never reach the processes; their files go unless kept."""
    if options.keep_startup_env:
        return environment
    env.remove_startup_files(layout, warn=log.warning)
    processes_env = environment.without_startup()
    if len(processes_env) != len(environment):
        env.export(processes_env, layout, warn=log.warning)
        log.info(f"removed {len(environment) - len(processes_env)} startup-only variables")
    return processes_env
