"""The benchmark doc is generated from the raw JSON: medians with ratios to lightbase."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _sample(scenario: str, system: str, n: int, **values: float) -> dict:
    return {"scenario": scenario, "system": system, "rep": 0, "n": n, "values": values}


RESULTS = {
    "plan": {
        "systems": ["lightbase", "s6"],
        "reps": 3,
        "long_reps": 1,
        "counts": [10],
        "crash_seconds": 30.0,
        "idle_seconds": 30.0,
        "quick": False,
    },
    "meta": {
        "date": "2026-01-02T03:04:05+00:00",
        "cpu": "Test CPU",
        "cores": 2,
        "memory": "2097152 kB",
        "kernel": "6.1.0",
        "os": "Debian GNU/Linux 12 (bookworm)",
        "python": "3.11.2",
        "load_before": [0.5, 0.25, 0.125],
        "load_after": [1.0, 0.5, 0.25],
        "versions": {"lightbase": "0.1.0", "s6": "2.11.3.2-1"},
    },
    "samples": [
        _sample("lifecycle", "lightbase", 10, boot_ms=10.0, stop_ms=5.0, stopped_by_signal=10),
        _sample("lifecycle", "lightbase", 10, boot_ms=30.0, stop_ms=7.0, stopped_by_signal=10),
        _sample("lifecycle", "lightbase", 10, boot_ms=20.0, stop_ms=6.0, stopped_by_signal=9),
        _sample("lifecycle", "s6", 10, boot_ms=40.0, stop_ms=12.0, stopped_by_signal=10),
        {"scenario": "restart", "system": "s6", "rep": 0, "n": 1, "error": "s6: gone"},
    ],
}


def _render(tmp_path: Path) -> str:
    source, doc = tmp_path / "results.json", tmp_path / "benchmarks.md"
    source.write_text(json.dumps(RESULTS))
    command = [sys.executable, "-m", "bench.report", str(source), str(doc)]
    subprocess.run(command, cwd=REPO, check=True, capture_output=True, timeout=60)
    return doc.read_text()


def test_report_cells_are_medians_with_ratio_to_lightbase(tmp_path: Path) -> None:
    doc = _render(tmp_path)

    assert "| lightbase | 20.0 (x1.00) |" in doc  # boot: median of 10, 30, 20
    assert "| s6 | 40.0 (x2.00) |" in doc
    assert "| s6 | 12.0 (x2.00) |" in doc  # stop: 12 against lightbase's median 6


def test_report_checks_targets_against_the_medians(tmp_path: Path) -> None:
    doc = _render(tmp_path)

    assert "| boot of 10 faster than s6 | 20.0 ms vs s6 40.0 ms | yes |" in doc
    assert "| stop of 10 obedient services under 30 ms | 6.0 ms | yes |" in doc
    assert "| every one stopped by its stop signal | fewest 9 of 10 | **no** |" in doc
    assert "| boot of 100 faster than s6 | — vs s6 — | not measured |" in doc


def test_report_describes_the_machine_and_counts_failed_runs(tmp_path: Path) -> None:
    doc = _render(tmp_path)

    assert "- Date: 2026-01-02T03:04:05+00:00" in doc
    assert "Test CPU, 2 cores, 2.0 GiB memory, kernel 6.1.0" in doc
    assert "| s6 | — failed 1/1 | — | 0 |" in doc
