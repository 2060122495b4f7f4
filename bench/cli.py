"""`python -m bench`: run the benchmarks, write the raw JSON, the markdown doc and the plots."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from .paths import DEFAULT_DOC, DEFAULT_LIGHTBASE, DEFAULT_OUTPUT, QUICK_OUTPUT
from .report import write_report
from .runner import Plan, Results, Runner
from .scenarios import Context
from .systems import System, available


def _systems(text: str) -> tuple[System, ...]:
    try:
        return tuple(System(name.strip()) for name in text.split(",") if name.strip())
    except ValueError:
        choices = ", ".join(s.value for s in System)
        raise argparse.ArgumentTypeError(f"systems are among: {choices}") from None


def _counts(text: str) -> tuple[int, ...]:
    return tuple(int(n) for n in text.split(","))


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmark lightbase against runit, s6, supervisord, tini and dumb-init, "
        "each as PID 1 of a fresh PID namespace (needs root).",
    )
    p.add_argument("--quick", action="store_true", help="each scenario once at small N (CI)")
    p.add_argument("--systems", type=_systems, help="comma list (default: all installed)")
    p.add_argument("--require", type=_systems, default=(), help="fail if one is not installed")
    p.add_argument("--reps", type=int, help="runs per system of the short scenarios (5)")
    p.add_argument("--long-reps", type=int, help="runs per system of crash loop and idle (1)")
    p.add_argument("--counts", type=_counts, help="service counts N (1,10,100)")
    p.add_argument("--kills", type=int, help="restarts timed per restart run (3)")
    p.add_argument("--crash-seconds", type=float, help="crash-loop window (30)")
    p.add_argument("--idle-seconds", type=float, help="idle window (30)")
    p.add_argument("--env-variables", type=int, help="variables of the environment case (1000)")
    p.add_argument("--lightbase", type=Path, default=DEFAULT_LIGHTBASE, help="lightbase script")
    p.add_argument("--output", type=Path, help="raw JSON (bench/results/latest.json)")
    p.add_argument("--doc", type=Path, help="markdown report (docs/benchmarks.md; not in --quick)")
    p.add_argument("--no-doc", action="store_true", help="write no markdown report")
    p.add_argument("--plot", action="store_true", help="also write docs/bench-*.png (matplotlib)")
    p.add_argument("--keep", action="store_true", help="keep every run's temporary root")
    p.add_argument("--workdir", type=Path, help="where temporary roots go (default: $TMPDIR)")
    return p


def make_plan(args: argparse.Namespace, systems: tuple[System, ...]) -> Plan:
    base = (
        Plan(systems, reps=1, counts=(1, 3), kills=1, crash_seconds=2.0, idle_seconds=1.0)
        if args.quick
        else Plan(systems)
    )
    overrides = {
        "reps": args.reps,
        "long_reps": args.long_reps,
        "counts": args.counts,
        "kills": args.kills,
        "crash_seconds": args.crash_seconds,
        "idle_seconds": args.idle_seconds,
        "env_variables": args.env_variables
        if args.env_variables
        else (100 if args.quick else None),
        "env_files": 2 if args.quick else None,
        "quick": args.quick,
    }
    values = {k: v for k, v in overrides.items() if v is not None}
    return Plan(**{**base.__dict__, **values})


def harness_problems(results: Results) -> list[str]:
    """What makes a run unusable: failed runs and missing measurements (not slowness)."""
    problems = [
        f"{s['scenario']} {s['system']}: {s['error']}" for s in results.samples if "error" in s
    ]
    for sample in results.samples:
        for key, value in sample.get("values", {}).items():
            if key.endswith("_ms") and key != "stop_ms" and not (value or 0) >= 0:
                problems.append(f"{sample['scenario']} {sample['system']}: {key}={value}")
    seen = {(s["scenario"], s["system"]) for s in results.samples}
    for system in results.plan["systems"]:
        if not any(sys_ == system for _, sys_ in seen):
            problems.append(f"{system}: no sample at all")
    return problems


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if os.geteuid() != 0:
        print("bench: needs root (unshare --pid); run it as root", file=sys.stderr)
        return 2
    wanted = args.systems or tuple(System)
    missing = [s.value for s in args.require if not available(s, args.lightbase)]
    if missing:
        print(f"bench: not installed: {', '.join(missing)} (run bench/setup.sh)", file=sys.stderr)
        return 1
    systems = tuple(s for s in wanted if available(s, args.lightbase))
    skipped = [s.value for s in wanted if s not in systems]
    if skipped:
        print(f"bench: skipping, not installed: {', '.join(skipped)}", file=sys.stderr)
    if not systems:
        print("bench: no system to measure", file=sys.stderr)
        return 1
    plan = make_plan(args, systems)
    with tempfile.TemporaryDirectory(prefix="lightbase-bench-", dir=args.workdir) as workdir:
        settle = 0.2 if args.quick else 1.0
        ctx = Context(args.lightbase.absolute(), Path(workdir), settle_s=settle, keep=args.keep)
        results = Runner(plan, ctx).run()
    output = args.output or (QUICK_OUTPUT if args.quick else DEFAULT_OUTPUT)
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_suffix(".tmp")
    tmp.write_text(json.dumps(results.__dict__, indent=1, allow_nan=False) + "\n")
    os.replace(tmp, output)
    print(f"bench: raw results in {output}", file=sys.stderr)
    if not args.no_doc and (args.doc or not args.quick):
        doc = args.doc or DEFAULT_DOC
        write_report(output, doc)
        print(f"bench: report in {doc}", file=sys.stderr)
    if args.plot:
        from .plot import write_plots  # matplotlib: only in the bench venv, only when asked

        for path in write_plots(output, (args.doc or DEFAULT_DOC).parent):
            print(f"bench: plot {path}", file=sys.stderr)
    problems = harness_problems(results)
    for problem in problems:
        print(f"bench: {problem}", file=sys.stderr)
    # In quick mode (CI) a run that could not be measured is a broken harness; in a full run
    # it is a finding about that system, reported in the doc.
    return 1 if problems and args.quick else 0
