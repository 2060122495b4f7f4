"""wait-process: startup-done, services through the control socket, plain processes."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from lightbase.tools import wait_process

from .tool_fake_supervisor import FakeSupervisor, service


@pytest.fixture
def run_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    run = tmp_path / "run"
    (run / "state").mkdir(parents=True)
    monkeypatch.setenv("CONTAINER_RUN_DIR", str(run))
    monkeypatch.delenv("CONTAINER_STATE_DIR", raising=False)
    return run


def startup_done(run_dir: Path) -> None:
    (run_dir / "state" / "startup-done").touch()


@pytest.fixture
def unique_process(tmp_path: Path) -> Iterator[str]:
    """A running process with a command name no other process has."""
    name = "lbwait-sleeper"
    program = tmp_path / name
    shutil.copy("/bin/sleep", program)
    process = subprocess.Popen([str(program), "60"])
    try:
        yield name
    finally:
        process.kill()
        process.wait()


def call(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = wait_process.main(list(args))
    out, err = capsys.readouterr()
    assert out == ""
    return code, err


def test_ready_service_after_startup_done_returns_0(run_dir: Path, capsys) -> None:
    startup_done(run_dir)
    with FakeSupervisor(run_dir / "control.sock", [service("slapd")]):
        assert call(capsys, "slapd") == (0, "")


def test_waits_for_startup_done_then_for_readiness(run_dir: Path, capsys) -> None:
    with FakeSupervisor(run_dir / "control.sock", [service("slapd", ready=False)]) as fake:
        fake.later(0.3, "slapd", ready=True)
        timer = subprocess.Popen(["sh", "-c", f"sleep 0.2; touch {run_dir}/state/startup-done"])
        code = call(capsys, "--timeout", "30", "slapd")
        timer.wait()
    assert code == (0, "")


def test_startup_not_done_times_out_naming_the_file(run_dir: Path, capsys) -> None:
    code, err = call(capsys, "--timeout", "0.2", "slapd")
    assert code == 1
    assert err == f"wait-process: timeout: startup is not done (no {run_dir}/state/startup-done)\n"


def test_service_not_ready_times_out_naming_it_and_its_state(run_dir: Path, capsys) -> None:
    startup_done(run_dir)
    services = [service("slapd", state="backoff", ready=False), service("nginx")]
    with FakeSupervisor(run_dir / "control.sock", services):
        code, err = call(capsys, "--timeout=0.3", "nginx", "slapd")
    assert code == 1
    assert err == (
        "wait-process: timeout after 0.3 s: not running: slapd (service backoff, not ready)\n"
    )


def test_name_that_is_not_a_service_is_looked_for_as_a_process(
    run_dir: Path, capsys, unique_process: str
) -> None:
    startup_done(run_dir)
    with FakeSupervisor(run_dir / "control.sock", [service("slapd")]):
        assert call(capsys, "-t", "5", "slapd", unique_process) == (0, "")


def test_without_lightbase_every_name_is_a_process(
    run_dir: Path, capsys, unique_process: str
) -> None:
    startup_done(run_dir)
    assert call(capsys, unique_process) == (0, "")
    code, err = call(capsys, "--timeout", "0", unique_process, "no-such-daemon")
    assert (code, err) == (
        1,
        "wait-process: timeout after 0 s: not running: no-such-daemon (no such process)\n",
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "wait-process: usage: wait-process [--timeout SEC] NAME...\n"),
        (("--timeout", "5"), "wait-process: usage: wait-process [--timeout SEC] NAME...\n"),
        (("--timeout",), "wait-process: option --timeout needs a value\n"),
        (("--timeout", "-1", "x"), "wait-process: --timeout: expected a number of seconds >= 0, "
         "got '-1'\n"),
        (("--every", "x"), "wait-process: unknown option '--every'\n"),
    ],
)  # fmt: skip
def test_usage_errors_exit_2(capsys, args: tuple[str, ...], message: str) -> None:
    assert call(capsys, *args) == (2, message)


def test_timeout_is_respected(run_dir: Path, capsys) -> None:
    startup_done(run_dir)
    started = time.monotonic()
    code, _ = call(capsys, "--timeout", "0.5", "no-such-daemon")
    assert code == 1
    assert 0.4 < time.monotonic() - started < 10
