"""The sv shim: runit's output and exit codes, answered through the control socket."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from lightbase.tools import sv
from lightbase.tools.sv_status import Goal, reached, status_line

from .tool_fake_supervisor import FakeSupervisor, service


@pytest.fixture
def run_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    run = tmp_path / "run"
    monkeypatch.setenv("CONTAINER_RUN_DIR", str(run))
    monkeypatch.delenv("SVWAIT", raising=False)
    return run


def supervisor(run_dir: Path, *services: dict) -> FakeSupervisor:
    return FakeSupervisor(run_dir / "control.sock", list(services))


def call(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = sv.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


# --- status lines (pure) -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "line"),
    [
        (service("slapd", pid=109, uptime=253.7), "run: slapd: (pid 109) 253s"),
        (service("slapd", state="starting", pid=7, uptime=1, ready=False),
         "run: slapd: (pid 7) 1s, not ready"),
        (service("slapd", pid=7, uptime=2, want="down"), "run: slapd: (pid 7) 2s, want down"),
        (service("slapd", state="stopping", pid=7, uptime=0.2, want="down"),
         "run: slapd: (pid 7) 0s, want down, got TERM"),
        (service("slapd", state="down", pid=None, uptime=3, want="down", ready=False),
         "down: slapd: 3s, normally up"),
        (service("slapd", state="backoff", pid=None, uptime=1, ready=False),
         "down: slapd: 1s, normally up, want up"),
        (service("slapd", state="failed", pid=None, uptime=9, ready=False),
         "down: slapd: 9s, normally up, want up"),
        (service("slapd", state="finished", pid=None, uptime=4, want="once", ready=False),
         "down: slapd: 4s, normally up"),
    ],
)  # fmt: skip
def test_status_line_reads_like_runit(status: dict, line: str) -> None:
    assert status_line("slapd", status) == line


@pytest.mark.parametrize(
    ("goal", "status", "before", "expected"),
    [
        (Goal.UP, service("a"), None, True),
        (Goal.UP, service("a", state="starting", ready=False), None, False),
        (Goal.DOWN, service("a", state="down", pid=None), None, True),
        (Goal.DOWN, service("a", state="stopping"), None, False),
        (Goal.RESTARTED, service("a", pid=5), service("a", pid=5), False),
        (Goal.RESTARTED, service("a", pid=6), service("a", pid=5), True),
        (Goal.REQUESTED, service("a", state="down", want="down", pid=None), None, True),
        (Goal.REQUESTED, service("a", want="down"), None, False),
        (Goal.REQUESTED, service("a", state="finished", want="once", pid=None), None, True),
        (Goal.REQUESTED, service("a", state="backoff", pid=None, ready=False), None, False),
    ],
)
def test_goal_reached_per_state(goal: Goal, status: dict, before: dict | None, expected: bool):
    assert reached(goal, status, before) is expected


@pytest.mark.parametrize(
    ("arg", "name"),
    [
        ("slapd", "slapd"),
        ("./slapd", "slapd"),
        ("/container/run/process/slapd", "slapd"),
        ("/container/run/process/slapd/", "slapd"),
    ],
)
def test_service_argument_is_its_last_path_component(arg: str, name: str) -> None:
    assert sv.service_name(arg) == name


# --- against a control socket ------------------------------------------------------------


def test_status_prints_one_runit_line_per_service_as_named(run_dir: Path, capsys) -> None:
    with supervisor(
        run_dir,
        service("gunicorn", pid=107, uptime=253.2),
        service("slapd", pid=109, uptime=253.9),
        service("web", state="down", pid=None, uptime=3.0, want="down", ready=False),
    ):
        code, out, err = call(capsys, "status", "gunicorn", "/container/run/process/slapd", "web")
    assert (code, err) == (0, "")
    assert out == (
        "run: gunicorn: (pid 107) 253s\n"
        "run: /container/run/process/slapd: (pid 109) 253s\n"
        "down: web: 3s, normally up\n"
    )


def test_status_of_glob_in_process_dir_uses_directory_names(
    run_dir: Path, tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `sv status *` in run/process: the shell expands * to the service directory names.
    process = run_dir / "process"
    for name in ("nginx", "slapd"):
        (process / name).mkdir(parents=True)
    monkeypatch.chdir(process)
    names = sorted(p.name for p in Path(".").iterdir())
    with supervisor(run_dir, service("nginx", pid=108, uptime=1), service("slapd", pid=109)):
        code, out, _ = call(capsys, "status", *names)
    assert code == 0
    assert out == "run: nginx: (pid 108) 1s\nrun: slapd: (pid 109) 5s\n"


def test_unknown_service_fails_like_runit_and_counts(run_dir: Path, capsys) -> None:
    with supervisor(run_dir, service("slapd")):
        code, out, _ = call(capsys, "status", "nope", "slapd", "other")
    assert code == 2
    assert out == (
        "fail: nope: unable to change to service directory: file does not exist\n"
        "run: slapd: (pid 100) 5s\n"
        "fail: other: unable to change to service directory: file does not exist\n"
    )


def test_no_control_socket_fails_every_service(run_dir: Path, capsys) -> None:
    code, out, _ = call(capsys, "check", "slapd", "web")
    socket_path = run_dir / "control.sock"
    assert code == 2
    assert out == (
        f"fail: slapd: lightbase is not running (no control socket at {socket_path})\n"
        f"fail: web: lightbase is not running (no control socket at {socket_path})\n"
    )


def test_check_of_ready_service_says_ok(run_dir: Path, capsys) -> None:
    with supervisor(run_dir, service("slapd", pid=109, uptime=0.4)):
        code, out, _ = call(capsys, "check", "/container/run/process/slapd")
    assert code == 0
    assert out == "ok: run: /container/run/process/slapd: (pid 109) 0s\n"


def test_check_waits_until_the_service_is_ready(run_dir: Path, capsys) -> None:
    with supervisor(run_dir, service("slapd", state="starting", ready=False)) as fake:
        fake.later(0.3, "slapd", state="up", ready=True)
        started = time.monotonic()
        code, out, _ = call(capsys, "-w", "20", "check", "slapd")
    assert code == 0
    assert out == "ok: run: slapd: (pid 100) 5s\n"
    assert time.monotonic() - started < 15  # woken by wait-ready, not by the 20 s deadline


def test_check_times_out_with_runit_line_and_exit_code(run_dir: Path, capsys) -> None:
    with supervisor(
        run_dir, service("slapd", state="starting", ready=False, uptime=0), service("web")
    ):
        code, out, _ = call(capsys, "-w", "0.3", "check", "slapd", "web")
    assert code == 1
    assert out == "timeout: run: slapd: (pid 100) 0s, not ready\nok: run: web: (pid 100) 5s\n"


def test_svwait_sets_the_default_wait(run_dir: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("SVWAIT", "0.2")
    with supervisor(run_dir, service("slapd", state="backoff", pid=None, ready=False, uptime=1)):
        started = time.monotonic()
        code, out, _ = call(capsys, "check", "slapd")
    assert code == 1
    assert out == "timeout: down: slapd: 1s, normally up, want up\n"
    assert time.monotonic() - started < 5


def test_check_of_service_wanted_down_waits_for_down(run_dir: Path, capsys) -> None:
    with supervisor(run_dir, service("web", state="stopping", want="down", uptime=0)) as fake:
        fake.later(0.2, "web", state="down", pid=None, ready=False)
        code, out, _ = call(capsys, "check", "web")
    assert code == 0
    assert out == "ok: down: web: 0s, normally up\n"


def test_up_without_v_sends_and_prints_nothing(run_dir: Path, capsys) -> None:
    with supervisor(run_dir, service("web", state="down", pid=None, want="down")) as fake:
        code, out, _ = call(capsys, "up", "./web")
        assert fake.commands() == [("up", "web")]
    assert (code, out) == (0, "")


def test_down_with_v_reports_ok_when_down(run_dir: Path, capsys) -> None:
    with supervisor(run_dir, service("web", pid=5)) as fake:
        code, out, _ = call(capsys, "-v", "down", "web")
        assert fake.commands() == [("down", "web")]
    assert code == 0
    assert out == "ok: down: web: 0s, normally up\n"


def test_stop_is_down_and_wait(run_dir: Path, capsys) -> None:
    with supervisor(run_dir, service("web", pid=5)) as fake:
        code, out, _ = call(capsys, "stop", "web")
        assert fake.commands() == [("down", "web")]
    assert (code, out) == (0, "ok: down: web: 0s, normally up\n")


def test_restart_waits_for_a_new_process(run_dir: Path, capsys) -> None:
    with supervisor(run_dir, service("web", pid=5)) as fake:
        code, out, _ = call(capsys, "restart", "web")
        assert fake.commands() == [("restart", "web")]
    assert (code, out) == (0, "ok: run: web: (pid 6) 0s\n")


def test_signal_commands_send_their_signal(run_dir: Path, capsys) -> None:
    with supervisor(run_dir, service("web")) as fake:
        results = [call(capsys, cmd, "web")[:2] for cmd in ("hup", "1", "2", "alarm", "k")]
        assert fake.commands() == [
            ("signal", "web", "HUP"),
            ("signal", "web", "USR1"),
            ("signal", "web", "USR2"),
            ("signal", "web", "ALRM"),
            ("signal", "web", "KILL"),
        ]
    assert results == [(0, "")] * 5


def test_first_letter_is_enough_for_short_commands(run_dir: Path, capsys) -> None:
    with supervisor(run_dir, service("web", pid=9, uptime=2)) as fake:
        code, out, _ = call(capsys, "s", "web")
        call(capsys, "d", "web")
        call(capsys, "u", "web")
        assert fake.commands() == [("down", "web"), ("up", "web")]
    assert (code, out) == (0, "run: web: (pid 9) 2s\n")


def test_control_command_for_unknown_service_fails(run_dir: Path, capsys) -> None:
    with supervisor(run_dir, service("web")) as fake:
        code, out, _ = call(capsys, "up", "nope")
        assert fake.commands() == []
    assert code == 1
    assert out == "fail: nope: unable to change to service directory: file does not exist\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "sv: usage: sv [-v] [-w SEC] COMMAND SERVICE...\n"),
        (("status",), "sv: usage: sv [-v] [-w SEC] COMMAND SERVICE...\n"),
        (("frobnicate", "web"), "sv: unknown command 'frobnicate'\n"),
        (("-x", "status", "web"), "sv: unknown option '-x'\n"),
        (("-w", "soon", "check", "web"), "sv: -w: expected a number of seconds, got 'soon'\n"),
    ],
)
def test_usage_errors_exit_100(run_dir: Path, capsys, args: tuple[str, ...], message: str):
    code, out, err = call(capsys, *args)
    assert (code, out, err) == (100, "", message)


def test_help_documents_exit_codes(capsys) -> None:
    code, out, _ = call(capsys, "--help")
    assert code == 0
    assert "usage: sv [-v] [-w SEC] COMMAND SERVICE..." in out
    assert "100     wrong usage" in out
