"""The systems under test: how each one is given a service set and started as PID 1.

Each system gets its own tree under a fresh temporary root and is configured with its defaults,
except where a default would make the comparison meaningless (noted inline). Services are given
as (name, script text); the same text runs under every system.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from .scripts import write_executable


class System(Enum):
    LIGHTBASE = "lightbase"
    RUNIT = "runit"
    S6 = "s6"
    SUPERVISOR = "supervisor"
    TINI = "tini"
    DUMB_INIT = "dumb-init"

    @property
    def single_process(self) -> bool:
        """tini and dumb-init run one child and do not restart it."""
        return self in (System.TINI, System.DUMB_INIT)

    @property
    def package(self) -> str | None:
        """The Debian package it comes from (None: this repository)."""
        return None if self is System.LIGHTBASE else self.value

    @property
    def executables(self) -> tuple[str, ...]:
        return _EXECUTABLES[self]


_EXECUTABLES = {
    System.LIGHTBASE: (),
    System.RUNIT: ("runsvdir", "runsv"),
    System.S6: ("s6-svscan", "s6-supervise"),
    System.SUPERVISOR: ("supervisord",),
    System.TINI: ("tini",),
    System.DUMB_INIT: ("dumb-init",),
}

PEERS = tuple(s for s in System if s is not System.LIGHTBASE)


@dataclass(frozen=True)
class ServiceText:
    name: str
    process: str  # script text of the long-running program
    startup: str | None = None  # lightbase only: ROOT/service/NAME/startup.sh
    config: str | None = None  # lightbase only: ROOT/service/NAME/service.yaml


def available(system: System, lightbase: Path) -> bool:
    if system is System.LIGHTBASE:
        return lightbase.is_file()
    return all(shutil.which(name) for name in system.executables)


def version(system: System, lightbase: Path) -> str:
    if system is System.LIGHTBASE:
        python = lightbase.parent / "python"
        code = "import lightbase; print(lightbase.__version__)"
        result = subprocess.run([str(python), "-c", code], capture_output=True, text=True)
        return result.stdout.strip() or "unknown"
    result = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Version}", str(system.package)],
        capture_output=True,
        text=True,
    )
    return result.stdout.strip() or "unknown"


def prepare(
    system: System, root: Path, services: Sequence[ServiceText], lightbase: Path
) -> list[str]:
    """Write the system's configuration for `services` under `root`; return PID 1's argv."""
    if system.single_process and len(services) != 1:
        raise ValueError(f"{system.value} runs exactly one service, got {len(services)}")
    if system is System.LIGHTBASE:
        for service in services:
            write_executable(root / "service" / service.name / "process.sh", service.process)
            if service.startup is not None:
                write_executable(root / "service" / service.name / "startup.sh", service.startup)
            if service.config is not None:
                (root / "service" / service.name / "service.yaml").write_text(service.config)
        return [str(lightbase), "run", "--root", str(root)]
    if system is System.RUNIT:
        for service in services:
            write_executable(root / "runit" / service.name / "run", service.process)
        # -P: each runsv in its own session, as container images using runsvdir run it.
        return ["runsvdir", "-P", str(root / "runit")]
    if system is System.S6:
        for service in services:
            write_executable(root / "s6" / service.name / "run", service.process)
        return ["s6-svscan", str(root / "s6")]
    if system is System.SUPERVISOR:
        return ["supervisord", "-n", "-c", str(_supervisor_config(root, services))]
    (service,) = services
    script = root / "single" / service.name / "run"
    write_executable(script, service.process)
    if system is System.TINI:
        return ["tini", "--", str(script)]
    return ["dumb-init", str(script)]


def _supervisor_config(root: Path, services: Sequence[ServiceText]) -> Path:
    lines = [
        "[supervisord]",
        "nodaemon=true",
        f"logfile={root / 'supervisord.log'}",
        f"pidfile={root / 'supervisord.pid'}",
        f"childlogdir={root}",
    ]
    for service in services:
        script = root / "supervisor" / service.name / "run"
        write_executable(script, service.process)
        # Services print nothing; NONE spares supervisord creating two log files per program.
        lines += [
            "",
            f"[program:{service.name}]",
            f"command={script}",
            "stdout_logfile=NONE",
            "stderr_logfile=NONE",
        ]
    path = root / "supervisord.conf"
    path.write_text("\n".join(lines) + "\n")
    return path
