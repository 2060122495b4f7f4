"""Quick before/after numbers for the init's own cost: import time, boot time, memory, restart.

Not the benchmark against other inits (that is `make bench`): this measures lightbase alone,
as PID 1 of a fresh PID namespace (`unshare --pid --fork --mount-proc`, root only), with N
services whose process.sh is `exec sleep 1000`.

    .venv/bin/python bench/lean_check.py [--runs 7] [--sizes 10 100] [--variant NAME=SRC ...]

`--variant before=/tmp/old/src` measures another copy of the source tree too (put first on
PYTHONPATH), alternating with the others run by run, so machine noise hits each alike.

- import: `-X importtime` total of `import lightbase.cli, lightbase.lifecycle` (what
  `lightbase run` imports), the CPU time that costs over a bare python, and the peak RSS;
- boot: launch -> every service's `sleep` has exec'd (polled every ~1 ms from outside), and
  the CPU time PID 1 used until then (/proc/PID/schedstat:
  steadier on a busy machine);
- rss / pss: /proc/PID/smaps_rollup of PID 1 half a second after boot;
- restart: SIGKILL to one service's `sleep` -> its replacement `sleep` has exec'd.
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PYTHON = sys.executable
LIGHTBASE = str(Path(PYTHON).with_name("lightbase"))
POLL = 0.001  # seconds between looks at the process tree


Env = dict[str, str]


def import_time_us(env: Env) -> int:
    """Cumulative import time of lightbase.lifecycle, as `-X importtime` reports it."""
    result = subprocess.run(
        [PYTHON, "-X", "importtime", "-c", "import lightbase.cli, lightbase.lifecycle"],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    total = 0
    for line in result.stderr.splitlines()[1:]:
        _, cumulative, name = line.split("|")
        # Top-level imports (one space before the name) add up without double counting.
        if name.startswith(" lightbase"):
            total += int(cumulative)
    return total


def import_cpu_ms(env: Env) -> float:
    """CPU time (user + system) of a python that imports what `lightbase run` imports, minus
    a bare python's: less disturbed than wall time by other work on the machine."""

    def cpu(code: str) -> float:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([PYTHON, "-c", code], check=True, env=env)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000

    return cpu("import lightbase.cli, lightbase.lifecycle") - cpu("pass")


def import_rss_kb(env: Env) -> int:
    """Peak RSS of a python that imported what `lightbase run` imports."""
    code = "import lightbase.cli, lightbase.lifecycle, resource\n"
    code += "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    result = subprocess.run(
        [PYTHON, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    return int(result.stdout)


def cpu_ms(pid: int) -> float:
    """Time on CPU of one process so far (/proc/PID/schedstat, nanoseconds)."""
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e6


def make_tree(base: Path, count: int) -> Path:
    root = base / f"container-{count}"
    for i in range(count):
        service = root / "service" / f"s{i:03d}"
        service.mkdir(parents=True)
        script = service / "process.sh"
        script.write_text("#!/bin/sh\nexec sleep 1000\n")
        script.chmod(0o755)
    (root / "environment").mkdir(parents=True, exist_ok=True)
    return root


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


class Sleepers:
    """The `sleep` children of PID 1, remembering which pids already exec'd sleep."""

    def __init__(self) -> None:
        self.known: set[int] = set()

    def find(self, init: int) -> set[int]:
        current = set(children(init))
        self.known &= current
        for pid in current - self.known:
            if comm(pid) == "sleep":
                self.known.add(pid)
        return set(self.known)


def memory(pid: int) -> tuple[int, int]:
    """(RSS, PSS) in KiB."""
    values = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("Rss", "Pss"):
            values[key] = int(rest.split()[0])
    return values["Rss"], values["Pss"]


def one_run(root: Path, count: int, env: Env) -> dict[str, float]:
    start = time.perf_counter()
    outer = subprocess.Popen(
        ["unshare", "--pid", "--fork", "--mount-proc", LIGHTBASE, "run", "--root", str(root)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        init = 0
        sleepers = Sleepers()
        deadline = start + 30
        while time.perf_counter() < deadline:
            if not init:
                found = children(outer.pid)
                init = found[0] if found else 0
            if init and len(sleepers.find(init)) == count:
                break
            time.sleep(POLL)
        else:
            raise RuntimeError(f"{count} services did not all start within 30 s")
        boot = (time.perf_counter() - start) * 1000
        boot_cpu = cpu_ms(init)
        time.sleep(0.5)
        rss, pss = memory(init)
        before = sleepers.find(init)
        victim = min(before)
        killed = time.perf_counter()
        os.kill(victim, signal.SIGKILL)
        while True:
            now = sleepers.find(init)
            if len(now) == count and victim not in now:
                break
            if time.perf_counter() - killed > 10:
                raise RuntimeError("the killed service was not restarted within 10 s")
            time.sleep(POLL / 4)
        restart = (time.perf_counter() - killed) * 1000
        os.kill(init, signal.SIGTERM)
        outer.wait(timeout=30)
        return {
            "boot_ms": boot,
            "boot_cpu_ms": boot_cpu,
            "rss_kb": rss,
            "pss_kb": pss,
            "restart_ms": restart,
        }
    finally:
        if outer.poll() is None:
            outer.kill()
            outer.wait()


def variant_env(source: str | None) -> Env:
    """The environment that runs one variant, its .pyc files written (as an install has
    them: with PYTHONDONTWRITEBYTECODE set, stale ones would be recompiled at every start)."""
    env = dict(os.environ)
    if source:
        env["PYTHONPATH"] = source
    where = "import lightbase, sys; sys.stdout.write(lightbase.__path__[0])"
    package = subprocess.run(
        [PYTHON, "-c", where], capture_output=True, text=True, check=True, env=env
    ).stdout
    subprocess.run([PYTHON, "-m", "compileall", "-q", package], check=True, env=env)
    return env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100])
    parser.add_argument("--variant", action="append", default=[], metavar="NAME=SRC")
    args = parser.parse_args(argv)
    variants = {"this": variant_env(None)}
    for spec in args.variant:
        name, _, source = spec.partition("=")
        variants[name] = variant_env(source)
    results: dict[tuple[str, str], list[float]] = {}

    def add(name: str, key: str, value: float) -> None:
        results.setdefault((name, key), []).append(value)

    with tempfile.TemporaryDirectory() as tmp:
        trees = {n: make_tree(Path(tmp), n) for n in args.sizes}
        for _ in range(args.runs):
            for name, env in variants.items():  # alternate: noise hits every variant alike
                add(name, "importtime", import_time_us(env) / 1000)
                add(name, "import_cpu", import_cpu_ms(env))
                add(name, "import_rss", import_rss_kb(env) / 1024)
                for n in args.sizes:
                    for key, value in one_run(trees[n], n, env).items():
                        add(name, f"{key}@{n}", value)

    def med(name: str, key: str) -> float:
        return statistics.median(results[(name, key)])

    for name in variants:
        print(
            f"[{name}] import {med(name, 'importtime'):.1f} ms importtime, "
            f"{med(name, 'import_cpu'):.1f} ms CPU over a bare python, "
            f"peak RSS {med(name, 'import_rss'):.1f} MiB"
        )
        for n in args.sizes:
            print(
                f"[{name}] N={n:<4} boot {med(name, f'boot_ms@{n}'):6.1f} ms "
                f"(PID 1 CPU {med(name, f'boot_cpu_ms@{n}'):5.1f} ms)   "
                f"RSS {med(name, f'rss_kb@{n}') / 1024:5.1f} MiB   "
                f"PSS {med(name, f'pss_kb@{n}') / 1024:5.1f} MiB   "
                f"restart {med(name, f'restart_ms@{n}'):5.1f} ms"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
