"""The targets lightbase must meet (issue 6), checked against the medians of a results file."""

from __future__ import annotations

from collections.abc import Callable

from .stats import Samples, slope

LB = "lightbase"
Row = list[str]


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} ms"


def _verdict(ok: bool | None) -> str:
    return "not measured" if ok is None else ("yes" if ok else "**no**")


def _boot(data: Samples) -> list[Row]:
    rows = []
    for n in (10, 100):
        lb = data.median("lifecycle", LB, "boot_ms", n)
        s6 = data.median("lifecycle", "s6", "boot_ms", n)
        ok = None if lb is None or s6 is None else lb < s6
        rows.append([f"boot of {n} faster than s6", f"{_ms(lb)} vs s6 {_ms(s6)}", _verdict(ok)])
    return rows


def _restart(data: Samples) -> list[Row]:
    lb = data.median("restart", LB, "restart_ms")
    ok = None if lb is None else lb < 10
    return [["restart after SIGKILL under 10 ms (median)", _ms(lb), _verdict(ok)]]


def _crash(data: Samples) -> list[Row]:
    spawns = data.median("crash", LB, "spawns")
    runsv = data.median("crash", "runit", "spawns")
    cpu = data.median("crash", LB, "cpu_percent")
    few = None if spawns is None or runsv is None else spawns <= runsv
    cheap = None if cpu is None else cpu < 1
    fmt = lambda v: "—" if v is None else f"{v:.0f}"  # noqa: E731
    return [
        [
            "crash loop: no more spawns than runsv",
            f"{fmt(spawns)} vs runsv {fmt(runsv)}",
            _verdict(few),
        ],
        [
            "crash loop: supervisor CPU under 1 %",
            "—" if cpu is None else f"{cpu:.2f} %",
            _verdict(cheap),
        ],
    ]


def _stop(data: Samples) -> list[Row]:
    stop = data.median("lifecycle", LB, "stop_ms", 10)
    by_signal = data.values("lifecycle", LB, "stopped_by_signal", 10)
    finished = data.values("slow-stop", LB, "cleanup_finished")
    all_signalled = None if not by_signal else min(by_signal) == 10
    return [
        [
            "stop of 10 obedient services under 30 ms",
            _ms(stop),
            _verdict(None if stop is None else stop < 30),
        ],
        [
            "every one stopped by its stop signal",
            f"fewest {min(by_signal):.0f} of 10" if by_signal else "—",
            _verdict(all_signalled),
        ],
        [
            "a 2 s cleanup is allowed to finish",
            f"{sum(finished):.0f} of {len(finished)} runs" if finished else "—",
            _verdict(None if not finished else all(finished)),
        ],
    ]


def _memory(data: Samples) -> list[Row]:
    lb = data.median("lifecycle", LB, "pss_kb", 100)
    peers = {p: data.median("lifecycle", p, "pss_kb", 100) for p in ("runit", "s6")}
    known = [v for v in peers.values() if v is not None]
    below = None if lb is None or not known else all(lb < v for v in known)
    shown = ", ".join(f"{p} {v:,.0f} KB" for p, v in peers.items() if v is not None)
    points = [
        (n, v)
        for n in data.counts("lifecycle")
        if (v := data.median("lifecycle", LB, "pss_kb", n)) is not None
    ]
    growth = slope(points)
    return [
        [
            "PSS at N = 100 below runit's and s6's",
            "—" if lb is None else f"{lb:,.0f} KB vs {shown}",
            _verdict(below),
        ],
        [
            "PSS growth under 50 KB per service",
            "—" if growth is None else f"{growth:.1f} KB",
            _verdict(None if growth is None else growth < 50),
        ],
    ]


def _idle(data: Samples) -> list[Row]:
    switches = data.values("idle", LB, "switches")
    seconds = data.median("idle", LB, "seconds")
    ok = None if not switches else max(switches) == 0
    shown = "—" if not switches else f"{max(switches):.0f} switches in {seconds:g} s"
    return [["idle: zero periodic wake-ups", shown, _verdict(ok)]]


CHECKS: tuple[Callable[[Samples], list[Row]], ...] = (
    _boot,
    _restart,
    _crash,
    _stop,
    _memory,
    _idle,
)


def evaluate(data: Samples) -> list[Row]:
    return [row for check in CHECKS for row in check(data)]
