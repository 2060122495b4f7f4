"""Service directories and their optional service.yaml -> Service objects, in dependency order."""

from __future__ import annotations

import heapq
import os
import signal
from collections.abc import Callable, Iterable, Mapping
from enum import Enum
from pathlib import Path
from typing import Any, NamedTuple

from .errors import ConfigError

SCRIPTS = ("install.sh", "startup.sh", "process.sh", "finish.sh")
CONFIG_FILE = "service.yaml"
FORWARDABLE_SIGNALS = (signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2, signal.SIGWINCH)


class Restart(Enum):
    ALWAYS = "always"
    ON_FAILURE = "on-failure"
    NEVER = "never"


class ReadyKind(Enum):
    STARTED = "started"
    TCP = "tcp"
    CMD = "cmd"
    NOTIFY_FD = "notify_fd"


class Readiness(NamedTuple):
    kind: ReadyKind = ReadyKind.STARTED
    port: int = 0  # TCP
    host: str = "127.0.0.1"  # TCP
    command: tuple[str, ...] = ()  # CMD: argv (a string in service.yaml runs under /bin/sh -c)
    fd: int = 0  # NOTIFY_FD

    def describe(self) -> str:
        detail = {
            ReadyKind.STARTED: "",
            ReadyKind.TCP: f" {self.host}:{self.port}",
            ReadyKind.CMD: f" {' '.join(self.command)}",
            ReadyKind.NOTIFY_FD: f" fd {self.fd}",
        }[self.kind]
        return self.kind.value + detail


class ServiceConfig(NamedTuple):
    """Supervision settings; every field has the default a service.yaml may override."""

    depends_on: tuple[str, ...] = ()
    ready: Readiness = Readiness()
    ready_timeout: float = 60.0
    # None: the default for the container's shape (a lone service ends the container when it
    # exits, as a single-process container should; otherwise always restart, not critical).
    restart: Restart | None = None
    critical: bool | None = None
    stop_signal: signal.Signals = signal.SIGTERM
    stop_timeout: float | None = None  # None: only the container-wide deadline applies
    user: str | None = None
    log_prefix: bool | None = None  # None: follow --log-prefix
    reload_signal: signal.Signals | None = None  # sent instead of SIGHUP
    forward_signals: tuple[signal.Signals, ...] = FORWARDABLE_SIGNALS
    finish_timeout: float = 5.0
    backoff_max: float = 30.0
    stable_after: float = 10.0


class Service(NamedTuple):
    name: str
    directory: Path
    install: Path | None = None
    startup: Path | None = None
    process: Path | None = None
    finish: Path | None = None
    config: ServiceConfig = ServiceConfig()


# --- service.yaml validation -------------------------------------------------------------


def parse_signal(value: object) -> signal.Signals:
    """`TERM`, `SIGTERM`, `sigterm` or `15` -> signal.SIGTERM."""
    if isinstance(value, bool):
        raise ValueError(f"expected a signal name or number, got {value!r}")
    if isinstance(value, int):
        try:
            return signal.Signals(value)
        except ValueError:
            raise ValueError(f"no such signal: {value}") from None
    if isinstance(value, str):
        text = value.strip().upper()
        if text.isdigit():
            return parse_signal(int(text))
        name = text if text.startswith("SIG") else "SIG" + text
        try:
            return signal.Signals[name]
        except KeyError:
            raise ValueError(f"no such signal: {value!r}") from None
    raise ValueError(f"expected a signal name or number, got {type(value).__name__}")


def _seconds(value: object) -> float:
    # `not 0 <= value < inf` also refuses NaN, which compares false with everything.
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1e308:
        raise ValueError(f"expected a number of seconds >= 0, got {value!r}")
    return float(value)


def _bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {value!r}")
    return value


def _text(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError(f"expected a string, got {value!r}")
    return str(value)


def _names(value: object) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) and i for i in items):
        raise ValueError(f"expected a service name or a list of them, got {value!r}")
    return tuple(items)


def _restart(value: object) -> Restart:
    try:
        return Restart(value)
    except ValueError:
        allowed = ", ".join(r.value for r in Restart)
        raise ValueError(f"expected one of {allowed}, got {value!r}") from None


def _port(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 65536:
        raise ValueError(f"expected a TCP port 1-65535, got {value!r}")
    return value


def _ready(value: object) -> Readiness:
    if value == ReadyKind.STARTED.value:
        return Readiness()
    if not isinstance(value, dict) or len(value) != 1:
        raise ValueError(
            f"expected 'started' or one of {{tcp: PORT}}, {{cmd: COMMAND}}, {{notify_fd: N}}, "
            f"got {value!r}"
        )
    ((kind, arg),) = value.items()
    if kind == "tcp":
        if isinstance(arg, str) and ":" in arg:
            host, _, port = arg.rpartition(":")
            host = host.removeprefix("[").removesuffix("]")  # "[::1]:8080"
            return Readiness(
                ReadyKind.TCP, port=_port(int(port) if port.isdigit() else port), host=host
            )
        return Readiness(ReadyKind.TCP, port=_port(arg))
    if kind == "cmd":
        if isinstance(arg, str) and arg.strip():
            return Readiness(ReadyKind.CMD, command=("/bin/sh", "-c", arg))
        if isinstance(arg, list) and arg and all(isinstance(a, str) for a in arg):
            return Readiness(ReadyKind.CMD, command=tuple(arg))
        raise ValueError(f"cmd: expected a command string or argv list, got {arg!r}")
    if kind == "notify_fd":
        if isinstance(arg, bool) or not isinstance(arg, int) or not 3 <= arg <= 255:
            raise ValueError(f"notify_fd: expected a descriptor number 3-255, got {arg!r}")
        return Readiness(ReadyKind.NOTIFY_FD, fd=arg)
    raise ValueError(f"unknown readiness check {kind!r} (use tcp, cmd or notify_fd)")


def _signals(value: object) -> tuple[signal.Signals, ...]:
    if not isinstance(value, list):
        raise ValueError(f"expected a list of signal names, got {value!r}")
    return tuple(parse_signal(v) for v in value)


_FIELDS: dict[str, Callable[[Any], object]] = {
    "depends_on": _names,
    "ready": _ready,
    "ready_timeout": _seconds,
    "restart": _restart,
    "critical": _bool,
    "stop_signal": parse_signal,
    "stop_timeout": _seconds,
    "user": _text,
    "log_prefix": _bool,
    "reload_signal": parse_signal,
    "forward_signals": _signals,
    "finish_timeout": _seconds,
    "backoff_max": _seconds,
    "stable_after": _seconds,
}


def parse_config(data: object, where: str) -> ServiceConfig:
    """Validate a loaded service.yaml; errors name the file and the key."""
    if data is None:
        return ServiceConfig()
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a mapping of settings, got {type(data).__name__}")
    values: dict[str, object] = {}
    for key, raw in data.items():
        convert = _FIELDS.get(key) if isinstance(key, str) else None
        if convert is None:
            known = ", ".join(_FIELDS)
            raise ConfigError(f"{where}: unknown key {key!r} (known keys: {known})")
        try:
            values[key] = convert(raw)
        except ValueError as exc:
            raise ConfigError(f"{where}: {key}: {exc}") from None
    return ServiceConfig(**values)  # type: ignore[arg-type]


def load_config(path: Path, where: str) -> ServiceConfig:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{where}: cannot read: {exc.strerror}") from None
    from . import service_yaml  # only when a service.yaml exists: PyYAML is slow to import

    try:
        data = service_yaml.parse(text)
    except service_yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{where}{line}: cannot parse: {problem}") from None
    return parse_config(data, where)


# --- discovery and order ------------------------------------------------------------------


def discover(
    service_dir: Path, warn: Callable[[str], None], display_root: Path | None = None
) -> list[Service]:
    """Every service directory under `service_dir`, sorted by name.

    A script that exists but is not executable is skipped with a warning naming it.
    """
    base = display_root or service_dir.parent
    if not service_dir.is_dir():
        if service_dir.exists():
            warn(f"{_show(service_dir, base)} is not a directory; no services")
        return []
    services = []
    for entry in sorted(service_dir.iterdir()):
        if entry.name.startswith("."):
            continue  # hidden, as editors' and tools' files are
        if not entry.is_dir():
            warn(f"{_show(entry, base)} is not a service directory; skipped")
            continue
        scripts: dict[str, Path | None] = {}
        for script in SCRIPTS:
            path = entry / script
            found = path if path.is_file() else None
            if found is None and path.exists():
                warn(f"{_show(path, base)} is not a file; skipped")
            elif found is not None and script != "install.sh" and not os.access(path, os.X_OK):
                warn(f"{_show(path, base)} is not executable (chmod +x it); skipped")
                found = None
            scripts[script.removesuffix(".sh")] = found
        config_path = entry / CONFIG_FILE
        config = (
            load_config(config_path, _show(config_path, base))
            if config_path.is_file()
            else ServiceConfig()
        )
        services.append(Service(name=entry.name, directory=entry, config=config, **scripts))
    return services


def _show(path: Path, base: Path) -> str:
    try:
        return str(path.relative_to(base))
    except ValueError:
        return str(path)


def order(services: Iterable[Service]) -> list[Service]:
    """Dependencies first, then by name; unknown dependencies and cycles are errors."""
    by_name = {s.name: s for s in services}
    waiting_on: dict[str, set[str]] = {}
    dependents: dict[str, list[str]] = {name: [] for name in by_name}
    for service in by_name.values():
        for dep in service.config.depends_on:
            if dep not in by_name:
                raise ConfigError(
                    f"service {service.name!r} depends on {dep!r}, which is not a service"
                )
            if dep == service.name:
                raise ConfigError(f"service {service.name!r} depends on itself")
            dependents[dep].append(service.name)
        waiting_on[service.name] = set(service.config.depends_on)
    ready = [name for name, deps in waiting_on.items() if not deps]
    heapq.heapify(ready)
    result: list[Service] = []
    while ready:
        name = heapq.heappop(ready)
        result.append(by_name[name])
        for dependent in dependents[name]:
            waiting_on[dependent].discard(name)
            if not waiting_on[dependent]:
                heapq.heappush(ready, dependent)
    if len(result) != len(by_name):
        stuck = sorted(name for name, deps in waiting_on.items() if deps)
        raise ConfigError(f"dependency cycle between services: {', '.join(stuck)}")
    return result


def dependency_closure(services: Mapping[str, Service], name: str) -> set[str]:
    """Every service `name` depends on, directly or not."""
    seen: set[str] = set()
    stack = list(services[name].config.depends_on)
    while stack:
        dep = stack.pop()
        if dep not in seen:
            seen.add(dep)
            stack.extend(services[dep].config.depends_on)
    return seen
