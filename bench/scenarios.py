"""The scenarios: each launches one system in a fresh PID namespace and returns one sample.

A sample is a flat dict of numbers (milliseconds, kilobytes, counts) with the scenario's own
keys; a run that goes wrong raises ScenarioError with what was seen, and the runner records it.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from . import procfs
from .marks import Kind, Mark, MarkChannel, deadline
from .namespace import Instance
from .scripts import Behaviour, env_startup_script, service_script, write_executable
from .systems import ServiceText, System, prepare

BOOT_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 15.0  # beyond Docker's 10 s grace: a system still there then "did not exit"
RESTART_TIMEOUT_S = 5.0
UP_BEFORE_KILL_S = 1.2  # the restart scenario kills services that have been up > 1 s
ENV_PREFIX = "BENCH_V"
# lightbase treats the only service of a container as its main process (not restarted, and its
# end ends the container); the restart and crash-loop cases ask for what the peers do by default.
SUPERVISED = "restart: always\ncritical: false\n"
Sample = dict[str, float | None]


class ScenarioError(Exception):
    """A run that could not be measured; the message says what was seen."""


@dataclass(frozen=True)
class Context:
    lightbase: Path  # the `lightbase` console script in the repository's venv
    workdir: Path  # temporary roots are made under it
    settle_s: float = 1.0  # pause after boot before memory/idle readings
    keep: bool = False  # keep each run's root (logs) for inspection


def _ms(ns: int) -> float:
    return round(ns / 1e6, 3)


class _Run:
    """A temporary root with a mark FIFO and a system prepared in it."""

    def __init__(self, ctx: Context, system: System, label: str) -> None:
        self.ctx = ctx
        self.system = system
        self.root = Path(tempfile.mkdtemp(prefix=f"{system.value}-{label}-", dir=ctx.workdir))
        self.channel = MarkChannel(self.root / "marks.fifo")
        self.instance: Instance | None = None

    def services(
        self, behaviours: Sequence[tuple[str, Behaviour]], config: str | None = None
    ) -> list[ServiceText]:
        fifo = self.channel.path
        return [ServiceText(n, service_script(n, b, fifo), config=config) for n, b in behaviours]

    def launch(self, services: Sequence[ServiceText], env: dict[str, str] | None = None) -> int:
        argv = prepare(self.system, self.root, services, self.ctx.lightbase)
        self.instance = Instance(argv, self.root / "pid1.log", env)
        return self.instance.start()

    def fail(self, message: str) -> ScenarioError:
        log = self.instance.log_text()[-600:] if self.instance else ""
        return ScenarioError(f"{self.system.value}: {message}" + (f"\n{log}" if log else ""))

    def __enter__(self) -> _Run:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.instance is not None:
            self.instance.close()
        self.channel.close()
        if not self.ctx.keep:
            shutil.rmtree(self.root, ignore_errors=True)


def _names(count: int, stem: str = "svc") -> list[str]:
    return [f"{stem}{i:03d}" for i in range(count)]


def _wait_ups(run: _Run, count: int) -> list[Mark]:
    ups = run.channel.collect(Kind.UP, count, deadline(BOOT_TIMEOUT_S))
    if len(ups) < count:
        raise run.fail(f"{len(ups)} of {count} services started within {BOOT_TIMEOUT_S:g} s")
    return ups


def lifecycle(system: System, count: int, ctx: Context) -> Sample:
    """Boot N obedient services, read the supervisors' memory, SIGTERM PID 1 (scenarios 1, 4, 5)."""
    with _Run(ctx, system, f"n{count}") as run:
        started = run.launch(run.services([(n, Behaviour.OBEDIENT) for n in _names(count)]))
        ups = _wait_ups(run, count)
        boot_ns = max(m.at_ns for m in ups) - started
        assert run.instance is not None
        time.sleep(ctx.settle_s)
        pids = run.instance.supervision_pids()
        memory = procfs.total_memory(pids)
        sent = run.instance.signal(signal.SIGTERM)
        marks, gone = run.channel.until_readable(run.instance.pidfd, deadline(STOP_TIMEOUT_S))
        terms = [m for m in marks if m.kind is Kind.TERM]
        stopped = {m.name for m in terms}
        # Where the stop time goes: until the last service had its signal, and after it.
        last_term = _ms(max(m.at_ns for m in terms) - sent) if terms else None
        return {
            "boot_ms": _ms(boot_ns),
            "stop_ms": None if gone is None else _ms(gone - sent),
            "last_term_ms": last_term,
            "exited": float(gone is not None),
            "stopped_by_signal": float(len(stopped)),
            "services": float(count),
            "supervision_processes": float(len(pids)),
            "rss_kb": float(memory.rss_kb),
            "pss_kb": float(memory.pss_kb),
            "uss_kb": float(memory.uss_kb),
        }


def slow_stop(system: System, ctx: Context) -> Sample:
    """One service needing a 2 s cleanup after SIGTERM: is it allowed to finish? (scenario 4)"""
    with _Run(ctx, system, "slow") as run:
        run.launch(run.services([("slowpoke", Behaviour.SLOW_CLEANUP)]))
        _wait_ups(run, 1)
        assert run.instance is not None
        time.sleep(min(ctx.settle_s, 0.5))
        sent = run.instance.signal(signal.SIGTERM)
        marks, gone = run.channel.until_readable(run.instance.pidfd, deadline(STOP_TIMEOUT_S))
        kinds = {m.kind for m in marks}
        return {
            "stop_ms": None if gone is None else _ms(gone - sent),
            "exited": float(gone is not None),
            "got_signal": float(Kind.TERM in kinds),
            "cleanup_finished": float(Kind.CLEANED in kinds),
        }


def restart(system: System, ctx: Context, kills: int) -> list[Sample]:
    """SIGKILL a service that has been up > 1 s; time until its replacement runs (scenario 2)."""
    with _Run(ctx, system, "restart") as run:
        run.launch(run.services([("victim", Behaviour.VICTIM)], SUPERVISED))
        (up,) = _wait_ups(run, 1)
        assert run.instance is not None
        samples: list[Sample] = []
        for _ in range(kills):
            time.sleep(max(0.0, (up.at_ns - time.monotonic_ns()) / 1e9 + UP_BEFORE_KILL_S))
            host = run.instance.host_pid(int(up.args[0]))
            if host is None:
                raise run.fail(f"service process {up.args[0]} not found in the namespace")
            killed = time.monotonic_ns()
            os.kill(host, signal.SIGKILL)
            again = run.channel.collect(Kind.UP, 1, deadline(RESTART_TIMEOUT_S))
            if not again:
                raise run.fail(f"killed service not restarted within {RESTART_TIMEOUT_S:g} s")
            up = again[0]
            samples.append({"restart_ms": _ms(up.at_ns - killed)})
        return samples


def crash_loop(system: System, ctx: Context, seconds: float) -> Sample:
    """A service that exits at once: spawns and supervisor CPU over `seconds` (scenario 3)."""
    with _Run(ctx, system, "crash") as run:
        run.launch(run.services([("crasher", Behaviour.CRASHER)], SUPERVISED))
        first = run.channel.collect(Kind.SPAWN, 1, deadline(BOOT_TIMEOUT_S))
        if not first:
            raise run.fail("the crashing service never started")
        assert run.instance is not None
        window_start = time.monotonic_ns()
        before = procfs.activities(run.instance.supervision_pids())
        marks = run.channel.drain(window_start + int(seconds * 1e9))
        after = procfs.activities(before)
        elapsed = time.monotonic_ns() - window_start
        if not run.instance.alive():
            raise run.fail("PID 1 exited during the crash loop")
        used = sum(((after[p] - before[p]).cpu_ns for p in before if p in after), 0)
        spawns = 1 + sum(1 for m in marks if m.kind is Kind.SPAWN)
        return {
            "spawns": float(spawns),
            "cpu_ms": _ms(used),
            "cpu_percent": round(100.0 * used / elapsed, 3),
            "seconds": round(elapsed / 1e9, 3),
        }


def idle(system: System, ctx: Context, count: int, seconds: float) -> Sample:
    """Context switches and CPU of the supervisors over `seconds` with idle services (6)."""
    with _Run(ctx, system, "idle") as run:
        run.launch(run.services([(n, Behaviour.OBEDIENT) for n in _names(count)]))
        _wait_ups(run, count)
        assert run.instance is not None
        time.sleep(ctx.settle_s)
        pids = run.instance.supervision_pids()
        before = procfs.activities(pids)
        time.sleep(seconds)
        after = procfs.activities(pids)
        delta = [after[p] - before[p] for p in pids if p in after]
        return {
            "switches": float(sum(d.switches for d in delta)),
            "cpu_ms": _ms(sum(d.cpu_ns for d in delta)),
            "seconds": seconds,
            "supervision_processes": float(len(pids)),
        }


def _write_environment(root: Path, variables: int, files: int) -> None:
    directory = root / "environment"
    directory.mkdir(parents=True, exist_ok=True)
    per_file = -(-variables // files)
    for f in range(files):
        lines = [f"# benchmark environment file {f + 1} of {files}"]
        for i in range(f * per_file, min(variables, (f + 1) * per_file)):
            lines.append(f"{ENV_PREFIX}{i:04d}: value-{i:04d}")
        (directory / f"{f:02d}-bench.yaml").write_text("\n".join(lines) + "\n")


def environment(ctx: Context, variables: int, files: int) -> Sample:
    """1,000 variables in YAML files -> a startup script sees them; plain PyYAML floor (7)."""
    probe = f"{ENV_PREFIX}{variables - 1:04d}"
    result: Sample = {"variables": float(variables)}
    cases = (("lightbase", variables, False), ("empty", 0, False), ("floor", variables, True))
    for label, count, floor in cases:
        with _Run(ctx, System.LIGHTBASE, f"env-{label}") as run:
            _write_environment(run.root, count, files)
            startup = env_startup_script("envcheck", ENV_PREFIX, probe, run.channel.path)
            if floor:
                write_executable(run.root / "startup.sh", startup)
                python = ctx.lightbase.parent / "python"
                floor_script = Path(__file__).with_name("env_floor.py")
                argv = [str(python), str(floor_script), str(run.root / "environment")]
                run.instance = Instance([*argv, str(run.root / "startup.sh")], run.root / "log")
                started = run.instance.start()
            else:
                process = service_script("envcheck", Behaviour.OBEDIENT, run.channel.path)
                started = run.launch([ServiceText("envcheck", process, startup)])
            marks = run.channel.collect(Kind.ENV, 1, deadline(BOOT_TIMEOUT_S))
            if not marks:
                raise run.fail("the startup script never reported")
            seen, value = (*marks[0].args, "", "")[:2]
            if count and (seen != str(count) or value != f"value-{variables - 1:04d}"):
                raise run.fail(f"startup script saw {seen} variables, {probe}={value!r}")
            result[f"{label}_ms"] = _ms(marks[0].at_ns - started)
    return result
