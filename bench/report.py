"""Raw results JSON -> docs/benchmarks.md. `python -m bench.report [JSON [DOC]]`.

The doc is generated, never edited: every number in it comes from the JSON, so the two cannot
disagree. Each cell is a median with its ratio to lightbase (x2.00 = twice lightbase's value).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .paths import DEFAULT_DOC, DEFAULT_OUTPUT
from .stats import Samples, ratio, slope
from .targets import evaluate

METHOD = """\
## Running it

As root, from the repository: `make bench` installs the peers from Debian's packages when
missing (`bench/setup.sh`), makes a venv for the plots (`.venv-bench`, matplotlib; lightbase's
own venv stays untouched), runs `python -m bench --plot` and writes `bench/results/latest.json`,
this file and `docs/bench-boot.png`, `docs/bench-memory.png`. Options go through
`BENCH_ARGS`, e.g. `make bench BENCH_ARGS="--reps 9 --systems lightbase,s6"`:

| option | default | meaning |
|---|---|---|
| `--systems LIST` | all installed | lightbase, runit, s6, supervisor, tini, dumb-init |
| `--reps N` | 5 | runs per system of boot/memory/stop, 2 s cleanup, restart, environment |
| `--long-reps N` | 1 | runs per system of the crash loop and idle cases |
| `--counts LIST` | 1,10,100 | service counts N |
| `--kills N` | 3 | restarts timed per restart run |
| `--crash-seconds S`, `--idle-seconds S` | 30, 30 | windows of the crash loop and idle cases |
| `--env-variables N` | 1000 | variables of the environment case (in 10 files) |
| `--workdir DIR`, `--keep` | $TMPDIR | where run roots go; keep them (PID 1 logs to `pid1.log`) |

`make bench-quick` (`python -m bench --quick`) runs every scenario once at N = 1 and 3 with
1-2 s windows and exits 1 when a run could not be measured: it checks the harness, not speed
(`tests/bench/` runs it for lightbase and one peer). `python -m bench.report [JSON [DOC]]`
and `python -m bench.plot [JSON [DIR]]` regenerate the doc and plots from a results file.
Timing on a busy machine is noisy: compare ratios within one run, and prefer a quiet machine
and more repetitions for numbers to publish.

## How it is measured

- Every run starts one system as PID 1 of a fresh PID namespace (`unshare --pid --fork
  --mount-proc`, as root) with a fresh service tree, and ends with the namespace gone. Within a
  repetition every system runs once, in an order rotated each time, so machine noise hits all
  of them alike.
- The services are the same tiny `sh` scripts under every system (runit's and s6's `run`,
  supervisord's `command`, lightbase's `process.sh`, tini's and dumb-init's child). Each writes
  one line (`up NAME PID`, `term NAME`, ...) into a FIFO that the harness reads while asleep in
  poll(2), stamping lines with CLOCK_MONOTONIC on arrival: no polling, so the harness takes no
  CPU from the system under test, and the common cost per service is one `sh` start and one
  write, the same for all systems.
- Boot: from just before launching `unshare` to the last service's `up` line. Restart: from
  just before the harness's SIGKILL to the `up` line of the replacement (the service had been
  up > 1 s). Stop: from SIGTERM to PID 1 until its pidfd is readable, which happens only when
  PID 1 has exited and the kernel has killed and reaped the whole namespace: "container gone".
  A service counts as stopped by its stop signal when its SIGTERM trap wrote `term NAME`.
- Supervision processes: every member of the namespace not running a service's program
  (`sh`, `sleep`): runsvdir + runsv per service, s6-svscan + s6-supervise per service,
  supervisord, tini, dumb-init, lightbase's single process. Memory is summed from
  /proc/PID/smaps_rollup 1 s after boot (PSS shares pages fairly among all processes mapping
  them, including processes outside the benchmark: Python-based systems share libpython with
  any other Python process on the machine, so USS, the private part, is given too). CPU time
  is from /proc/PID/task/TID/schedstat (ns); context switches are voluntary + involuntary
  from /proc/PID/task/TID/status.
- Each system runs with its defaults (supervisord: `stdout_logfile=NONE` so it creates no log
  files; runsvdir with `-P`). Defaults matter: runsvdir first scans ~1 s after start,
  s6-supervise and runsv wait 1 s before restarting a service that died within 1 s of its start,
  supervisord gives up on a program after 3 failed starts (FATAL).
"""


def _fmt(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


def _cell(value: float | None, reference: float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    r = ratio(value, reference)
    return _fmt(value, digits) + (f" (x{r:.2f})" if r is not None else "")


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return [*lines, ""]


def _failed(data: Samples, scenario: str, system: str, n: int | None = None) -> str:
    errors = data.errors(scenario, system, n)
    return f"failed {len(errors)}/{data.ran(scenario, system, n)}" if errors else ""


def _noted(cell: str, data: Samples, scenario: str, system: str) -> str:
    note = _failed(data, scenario, system)
    return f"{cell} {note}" if note else cell


def _by_n(data: Samples, scenario: str, key: str, digits: int = 1) -> list[str]:
    counts = data.counts(scenario)
    rows = []
    for system in data.systems_in(scenario):
        row = [system]
        for n in counts:
            if not data.ran(scenario, system, n):
                row.append("n/a")
                continue
            value = data.median(scenario, system, key, n)
            ref = data.median(scenario, data.reference, key, n)
            note = _failed(data, scenario, system, n)
            row.append(_cell(value, ref, digits) + (f" {note}" if note else ""))
        rows.append(row)
    return _table(["system", *(f"N = {n}" for n in counts)], rows)


def _boot(data: Samples) -> list[str]:
    head = ["## 1. Boot: launch -> every one of N services running (ms, median)", ""]
    return head + _by_n(data, "lifecycle", "boot_ms")


def _restart(data: Samples) -> list[str]:
    rows = []
    ref = data.median("restart", data.reference, "restart_ms")
    for system in data.systems_in("restart"):
        values = data.values("restart", system, "restart_ms")
        spread = f"{_fmt(min(values))}-{_fmt(max(values))}" if values else "—"
        median = data.median("restart", system, "restart_ms")
        rows.append(
            [system, _noted(_cell(median, ref), data, "restart", system), spread, str(len(values))]
        )
    head = ["## 2. Restart: SIGKILL of a service up > 1 s -> replacement running (ms)", ""]
    return head + _table(["system", "median", "min-max", "kills"], rows)


def _crash(data: Samples) -> list[str]:
    rows = []
    ref_spawns = data.median("crash", data.reference, "spawns")
    for system in data.systems_in("crash"):
        spawns = data.median("crash", system, "spawns")
        cpu = data.median("crash", system, "cpu_percent")
        seconds = data.median("crash", system, "seconds")
        spawned = _noted(_cell(spawns, ref_spawns, 0), data, "crash", system)
        rows.append([system, spawned, _fmt(cpu, 2), _fmt(seconds, 1)])
    head = ["## 3. Crash loop: a service that exits at once", ""]
    return head + _table(["system", "spawns", "supervisor CPU %", "window (s)"], rows)


def _stop(data: Samples) -> list[str]:
    lines = ["## 4. Stop: SIGTERM to PID 1 -> namespace gone", ""]
    lines += ["With N obedient services (ms, median):", ""]
    lines += _by_n(data, "lifecycle", "stop_ms")
    lines += [
        "Of which: SIGTERM to PID 1 -> the last service ran its SIGTERM trap (ms, median):",
        "",
    ]
    lines += _by_n(data, "lifecycle", "last_term_ms")
    rows = []
    for system in data.systems_in("lifecycle"):
        row = [system]
        for n in data.counts("lifecycle"):
            got = data.values("lifecycle", system, "stopped_by_signal", n)
            row.append(f"{min(got):.0f} of {n}" if got else "n/a")
        rows.append(row)
    lines += [
        "Services stopped by their stop signal (fewest in any run; the rest were killed):",
        "",
    ]
    lines += _table(["system", *(f"N = {n}" for n in data.counts("lifecycle"))], rows)
    rows = []
    ref = data.median("slow-stop", data.reference, "stop_ms")
    for system in data.systems_in("slow-stop"):
        finished = data.values("slow-stop", system, "cleanup_finished")
        signalled = data.values("slow-stop", system, "got_signal")
        stop = data.median("slow-stop", system, "stop_ms")
        rows.append(
            [
                system,
                _noted(_cell(stop, ref), data, "slow-stop", system),
                f"{sum(signalled):.0f} of {len(signalled)}",
                f"{sum(finished):.0f} of {len(finished)}",
            ]
        )
    lines += ["With one service that needs 2 s to clean up after SIGTERM:", ""]
    return lines + _table(["system", "stop (ms)", "got SIGTERM", "cleanup finished"], rows)


def _memory(data: Samples) -> list[str]:
    lines = ["## 5. Memory of the supervision processes (KB, median)", ""]
    lines += ["Summed PSS:", "", *_by_n(data, "lifecycle", "pss_kb", 0)]
    lines += ["Summed USS (private pages only):", "", *_by_n(data, "lifecycle", "uss_kb", 0)]
    lines += ["Summed RSS:", "", *_by_n(data, "lifecycle", "rss_kb", 0)]
    rows = []
    for system in data.systems_in("lifecycle"):
        points = [
            (n, v)
            for n in data.counts("lifecycle")
            if (v := data.median("lifecycle", system, "pss_kb", n)) is not None
        ]
        rows.append([system, _fmt(slope(points), 1)])
    lines += ["Growth of summed PSS per extra service (KB, least squares over N):", ""]
    return lines + _table(["system", "KB per service"], rows)


def _idle(data: Samples) -> list[str]:
    rows = []
    for system in data.systems_in("idle"):
        n = next(
            (s["n"] for s in data.samples if s["system"] == system and s["scenario"] == "idle"), 0
        )
        switches = data.median("idle", system, "switches")
        seconds = data.median("idle", system, "seconds")
        cpu = data.median("idle", system, "cpu_ms")
        shown = _noted(_fmt(switches, 0), data, "idle", system)
        rows.append([system, str(n), shown, _fmt(cpu, 2), _fmt(seconds, 0)])
    head = ["## 6. Idle: supervision processes with idle services", ""]
    return head + _table(["system", "services", "context switches", "CPU (ms)", "window (s)"], rows)


def _environment(data: Samples) -> list[str]:
    if not data.ran("env", "lightbase"):
        return []
    variables = data.median("env", "lightbase", "variables")
    floor = data.median("env", "lightbase", "floor_ms")
    rows = [
        [
            f"lightbase, {variables:.0f} variables",
            _cell(data.median("env", "lightbase", "lightbase_ms"), floor),
        ],
        [
            "lightbase, no environment file",
            _cell(data.median("env", "lightbase", "empty_ms"), floor),
        ],
        [f"PyYAML floor, {variables:.0f} variables", _cell(floor, floor)],
    ]
    head = [
        "## 7. Environment: YAML files -> a startup script sees every variable (ms, median)",
        "",
        "Ratios here are to the floor: a Python process that loads the same files with PyYAML's",
        "safe loader and execs the startup script (`bench/env_floor.py`).",
        "",
    ]
    return head + _table(["case", "launch -> startup script ran"], rows)


def _gib(meminfo: str) -> str:
    """`24683664 kB` (as /proc/meminfo says) -> `23.5 GiB`."""
    try:
        return f"{int(meminfo.split()[0]) / 1024 / 1024:.1f} GiB"
    except (ValueError, IndexError):
        return meminfo


def _machine(results: dict[str, Any]) -> list[str]:
    meta, plan = results["meta"], results["plan"]
    versions = ", ".join(f"{k} {v}" for k, v in meta.get("versions", {}).items())
    load = lambda key: " / ".join(f"{x:.2f}" for x in meta.get(key, []))  # noqa: E731
    return [
        f"- Date: {meta['date']}",
        f"- Machine: {meta['cpu']}, {meta['cores']} cores, {_gib(meta['memory'])} memory, "
        f"kernel {meta['kernel']}, {meta['os']}, Python {meta['python']}",
        f"- Load average (1, 5, 15 min) before: {load('load_before')}; after: {load('load_after')}",
        f"- Versions: {versions}",
        f"- Repetitions: {plan['reps']} per system (crash loop and idle: {plan['long_reps']}); "
        f"N = {', '.join(map(str, plan['counts']))}; crash window {plan['crash_seconds']:g} s, "
        f"idle window {plan['idle_seconds']:g} s" + (" (quick mode)" if plan.get("quick") else ""),
        "",
    ]


def render(results: dict[str, Any]) -> str:
    data = Samples(results)
    reference = data.reference
    lines = [
        "# Benchmarks: lightbase and the inits people use today",
        "",
        "Generated by `make bench` (`python -m bench`) from `bench/results/latest.json`; do not",
        "edit by hand. Each cell is the median of the runs, with its ratio to "
        f"{reference} in parentheses",
        f"(x2.00 = twice {reference}'s value). `n/a`: the system runs one process only.",
        "",
        *_machine(results),
        "## Targets for lightbase",
        "",
        *_table(["target", "measured", "met"], evaluate(data)),
        *_boot(data),
        *_restart(data),
        *_crash(data),
        *_stop(data),
        *_memory(data),
        *_idle(data),
        *_environment(data),
        METHOD,
    ]
    return "\n".join(lines).rstrip() + "\n"


def write_report(json_path: Path, doc: Path) -> None:
    results = json.loads(json_path.read_text())
    doc.parent.mkdir(parents=True, exist_ok=True)
    tmp = doc.with_suffix(".tmp")
    tmp.write_text(render(results))
    os.replace(tmp, doc)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    json_path = Path(args[0]) if args else DEFAULT_OUTPUT
    doc = Path(args[1]) if len(args) > 1 else DEFAULT_DOC
    try:
        write_report(json_path, doc)
    except (OSError, ValueError, KeyError) as error:
        print(f"bench.report: {json_path}: cannot make the report: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
