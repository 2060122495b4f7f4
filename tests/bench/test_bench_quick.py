"""The benchmark harness in quick mode: it measures lightbase and a peer, each as PID 1.

Checks that the harness works (every scenario produced its measurements), not how fast anything
is: speed belongs to `make bench`, not to tests on a shared 2-core machine.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LIGHTBASE = Path(sys.executable).parent / "lightbase"

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(os.geteuid() != 0, reason="PID namespaces need root"),
    pytest.mark.skipif(shutil.which("unshare") is None, reason="needs unshare (util-linux)"),
]


def _peer() -> str | None:
    """The fastest installed multi-service peer (s6 boots in milliseconds, runsvdir in ~1 s)."""
    for name, program in (
        ("s6", "s6-svscan"),
        ("runit", "runsvdir"),
        ("supervisor", "supervisord"),
    ):
        if shutil.which(program):
            return name
    return None


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One quick run for all tests here (~30 s): lightbase and one peer when installed."""
    peer = _peer()
    return _run_quick(tmp_path_factory.mktemp("bench"), ["lightbase"] + ([peer] if peer else []))


def _run_quick(tmp_path: Path, systems: list[str]) -> dict:
    output = tmp_path / "quick.json"
    doc = tmp_path / "benchmarks.md"
    listed = ",".join(systems)
    command = [sys.executable, "-m", "bench", "--quick", "--systems", listed, "--require", listed]
    command += ["--lightbase", str(LIGHTBASE), "--output", str(output), "--doc", str(doc)]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert doc.is_file()
    return json.loads(output.read_text())


def _values(results: dict, scenario: str, system: str) -> list[dict]:
    return [
        s["values"]
        for s in results["samples"]
        if s["scenario"] == scenario and s["system"] == system and "values" in s
    ]


def test_quick_mode_measures_every_scenario_for_lightbase_and_a_peer(quick: dict) -> None:
    results = quick
    systems = results["plan"]["systems"]
    assert systems[0] == "lightbase"

    assert not [s for s in results["samples"] if "error" in s]
    for system in systems:
        lifecycles = _values(results, "lifecycle", system)
        assert sorted(v["services"] for v in lifecycles) == [1.0, 3.0]
        for values in lifecycles:
            assert values["boot_ms"] > 0
            assert values["pss_kb"] > 0
            assert values["supervision_processes"] >= 1
            assert values["exited"] == 1.0
        assert [v["restart_ms"] > 0 for v in _values(results, "restart", system)] == [True]
        assert _values(results, "crash", system)[0]["spawns"] >= 1
        assert len(_values(results, "idle", system)) == 1
        assert len(_values(results, "slow-stop", system)) == 1
    (env,) = _values(results, "env", "lightbase")
    assert env["variables"] == 100.0
    assert env["lightbase_ms"] > 0 and env["floor_ms"] > 0 and env["empty_ms"] > 0


def test_lightbase_lets_obedient_services_stop_by_their_signal(quick: dict) -> None:
    lifecycles = _values(quick, "lifecycle", "lightbase")

    stopped = {v["services"]: v["stopped_by_signal"] for v in lifecycles}
    assert stopped == {1.0: 1.0, 3.0: 3.0}
    (slow,) = _values(quick, "slow-stop", "lightbase")
    assert slow["got_signal"] == 1.0
    assert slow["cleanup_finished"] == 1.0
