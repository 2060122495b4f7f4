"""Run the scenarios for every system, alternating systems so machine noise hits all alike.

Each repetition of a scenario runs every system once, in an order rotated by one each time, so
no system is always first (cold caches) or last. Every run is its own sample in the flat list
that becomes the raw JSON; medians and ratios are computed from it by report.py.
"""

from __future__ import annotations

import datetime
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from . import scenarios
from .scenarios import Context, Sample, ScenarioError
from .systems import System, version


@dataclass(frozen=True)
class Plan:
    systems: tuple[System, ...]
    reps: int = 5
    counts: tuple[int, ...] = (1, 10, 100)  # N for boot, stop and memory
    kills: int = 3  # restarts measured per restart run
    crash_seconds: float = 30.0
    idle_seconds: float = 30.0
    idle_services: int = 10
    long_reps: int = 1
    env_variables: int = 1000
    env_files: int = 10
    quick: bool = False


@dataclass
class Results:
    plan: dict[str, Any]
    meta: dict[str, Any]
    samples: list[dict[str, Any]] = field(default_factory=list)


def _rotated(systems: Sequence[System], rep: int) -> list[System]:
    shift = rep % len(systems) if systems else 0
    return [*systems[shift:], *systems[:shift]]


def _first_line(path: str, key: str) -> str:
    try:
        with open(path) as handle:
            for line in handle:
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def machine() -> dict[str, Any]:
    os_name = "unknown"
    try:
        os_name = platform.freedesktop_os_release().get("PRETTY_NAME", "unknown")
    except OSError:
        pass
    return {
        "cpu": _first_line("/proc/cpuinfo", "model name"),
        "cores": os.cpu_count(),
        "memory": _first_line("/proc/meminfo", "MemTotal"),
        "kernel": platform.release(),
        "os": os_name,
        "python": platform.python_version(),
        "load_before": list(os.getloadavg()),
    }


class Runner:
    def __init__(self, plan: Plan, ctx: Context, log: Callable[[str], None] | None = None):
        self.plan = plan
        self.ctx = ctx
        self.log = log or (lambda text: print(text, file=sys.stderr, flush=True))
        meta = machine()
        meta["date"] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
        meta["versions"] = {s.value: version(s, ctx.lightbase) for s in plan.systems}
        plan_dict = asdict(plan)
        plan_dict["systems"] = [s.value for s in plan.systems]
        self.results = Results(plan_dict, meta)

    def _record(
        self, scenario: str, system: System, rep: int, n: int | None, run: Callable[[], Any]
    ) -> None:
        started = time.monotonic()
        base: dict[str, Any] = {"scenario": scenario, "system": system.value, "rep": rep, "n": n}
        try:
            outcome = run()
        except ScenarioError as error:
            self.results.samples.append({**base, "error": str(error)})
            self.log(f"  {scenario:<9} n={n} {system.value:<10} FAILED: {error}")
            return
        outcomes: list[Sample] = outcome if isinstance(outcome, list) else [outcome]
        for values in outcomes:
            self.results.samples.append({**base, "values": values})
        shown = outcomes[0].items() if outcomes else ()
        brief = ", ".join(f"{k}={'-' if v is None else format(v, 'g')}" for k, v in shown)
        took = time.monotonic() - started
        self.log(f"  {scenario:<9} n={n} {system.value:<10} {brief} ({took:.1f} s)")

    def _each(
        self,
        scenario: str,
        systems: Sequence[System],
        reps: int,
        n: int | None,
        run: Callable[[System], Any],
    ) -> None:
        for rep in range(reps):
            for system in _rotated(systems, rep):
                self._record(scenario, system, rep, n, lambda s=system: run(s))

    def run(self) -> Results:
        plan, ctx = self.plan, self.ctx
        every = list(plan.systems)
        multi = [s for s in every if not s.single_process]
        for n in plan.counts:
            systems = every if n == 1 else multi
            self.log(f"lifecycle (boot, memory, stop) with {n} services")
            self._each(
                "lifecycle", systems, plan.reps, n, lambda s, n=n: scenarios.lifecycle(s, n, ctx)
            )
        self.log("stop with one service needing a 2 s cleanup")
        self._each("slow-stop", every, plan.reps, 1, lambda s: scenarios.slow_stop(s, ctx))
        self.log(f"restart after SIGKILL ({plan.kills} kills per run)")
        self._each("restart", multi, plan.reps, 1, lambda s: scenarios.restart(s, ctx, plan.kills))
        self.log(f"crash loop for {plan.crash_seconds:g} s")
        crash = lambda s: scenarios.crash_loop(s, ctx, plan.crash_seconds)  # noqa: E731
        self._each("crash", multi, plan.long_reps, 1, crash)
        self.log(f"idle for {plan.idle_seconds:g} s")
        for n, systems in (
            (plan.idle_services, multi),
            (1, [s for s in every if s.single_process]),
        ):
            idle = lambda s, n=n: scenarios.idle(s, ctx, n, plan.idle_seconds)  # noqa: E731
            self._each("idle", systems, plan.long_reps, n, idle)
        if System.LIGHTBASE in every:
            self.log(f"environment: {plan.env_variables} variables in {plan.env_files} YAML files")
            env = lambda s: scenarios.environment(ctx, plan.env_variables, plan.env_files)  # noqa: E731
            self._each("env", [System.LIGHTBASE], plan.reps, plan.env_variables, env)
        self.results.meta["load_after"] = list(os.getloadavg())
        return self.results
