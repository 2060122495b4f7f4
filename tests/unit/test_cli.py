"""`lightbase ...` called in-process: help, usage errors and their exit codes, and the commands
that work without a running supervisor."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lightbase import __version__
from lightbase.cli import build_parser, main

RUN_OPTIONS = [
    "-h",
    "--help",
    "--root",
    "--run-dir",
    "-l",
    "--loglevel",
    "--skip-env-files",
    "--skip-startup-files",
    "--skip-process-files",
    "--skip-finish-files",
    "--run-only",
    "--keep-startup-env",
    "--supervisor",
    "--copy-service",
    "--wait-state",
    "--wait-first-startup",
    "--wait-timeout",
    "--keepalive",
    "--dont-touch-etc-hosts",
    "-k",
    "--no-kill-all-on-exit",
    "--log-prefix",
]
RUN_VARIABLES = [
    "CONTAINER_ROOT",
    "CONTAINER_RUN_DIR",
    "CONTAINER_STATE_DIR",
    "CONTAINER_LOG_LEVEL",
    "CONTAINER_SECRET_NAMES",
    "KILL_PROCESS_TIMEOUT",
    "KILL_ALL_PROCESSES_TIMEOUT",
]
LOG_LINE = re.compile(r"^\*\*\* ERROR   \| \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \| (.*)$")


@pytest.fixture(autouse=True)
def _no_container_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "CONTAINER_ROOT",
        "CONTAINER_RUN_DIR",
        "CONTAINER_STATE_DIR",
        "CONTAINER_LOG_LEVEL",
        "CONTAINER_SECRET_NAMES",
    ):
        monkeypatch.delenv(name, raising=False)


def _logged_error(stderr: str) -> str:
    """The message of the one ERROR log line `lightbase run` wrote."""
    (line,) = stderr.splitlines()
    match = LOG_LINE.match(line)
    assert match, line
    return match.group(1)


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"lightbase {__version__}\n"


def test_run_help_documents_every_option_and_variable(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["run", "--help"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("usage: lightbase run [OPTIONS] [-- MAIN_COMMAND [ARGS...]]\n")
    missing = [word for word in RUN_OPTIONS + RUN_VARIABLES if word not in text]
    assert missing == []
    for code in ("0 ", "2 ", "70 ", "78 "):
        assert f"\n  {code}" in text, f"exit code {code}is not documented"


def test_the_list_of_run_options_is_complete() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    run = sub.choices["run"]  # type: ignore[attr-defined]
    options = [s for action in run._actions for s in action.option_strings]
    assert sorted(options) == sorted(RUN_OPTIONS)


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert capsys.readouterr().err == "lightbase: the following arguments are required: COMMAND\n"


def test_an_unknown_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--frobnicate"]) == 2
    # Parsing fails before `run` is known to be the command: a plain line, not a log line.
    assert capsys.readouterr().err == "lightbase: unrecognized arguments: --frobnicate\n"


@pytest.mark.parametrize("joined", ["--loglevel debug", "--root /c --keepalive", "-l\ttrace"])
def test_options_joined_in_one_argument_are_rejected(
    joined: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", joined]) == 2
    assert capsys.readouterr().err == (
        f"lightbase: {joined!r} is one argument holding several words; pass each option and "
        "value as a separate argument (in Kubernetes: one list item each)\n"
    )


def test_words_after_the_double_dash_are_the_main_command_and_left_alone() -> None:
    from lightbase.cli import reject_joined_options

    reject_joined_options(["run", "--", "sh", "-c", "--not an option"])  # must not raise


def test_a_bad_loglevel_names_the_option(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--loglevel", "verbose"]) == 2
    assert _logged_error(capsys.readouterr().err) == (
        "lightbase run: --loglevel: unknown log level 'verbose' "
        "(use one of none, error, warning, info, debug, trace or 0-5)"
    )


def test_a_bad_container_log_level_names_the_variable(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONTAINER_LOG_LEVEL", "9")
    assert main(["run"]) == 2
    assert _logged_error(capsys.readouterr().err) == (
        "lightbase run: CONTAINER_LOG_LEVEL: unknown log level '9' "
        "(use one of none, error, warning, info, debug, trace or 0-5)"
    )


def test_run_only_needs_a_main_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--run-only"]) == 2
    assert _logged_error(capsys.readouterr().err) == (
        "lightbase run: --run-only needs a MAIN_COMMAND after --"
    )


def test_a_bad_wait_timeout_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--wait-timeout", "soon"]) == 2
    assert capsys.readouterr().err == (
        "lightbase run: argument --wait-timeout: expected a number of seconds >= 0, got 'soon'\n"
    )


def test_sv_status_without_lightbase_running_exits_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sv", "--run-dir", str(tmp_path), "status"]) == 3
    assert capsys.readouterr().err == (
        f"lightbase sv: lightbase is not running (no control socket at {tmp_path}/control.sock)\n"
    )


@pytest.mark.parametrize(
    "verb", [["up", "web"], ["down", "web"], ["check", "-w", "1", "web"], ["signal", "HUP", "web"]]
)
def test_every_sv_command_without_lightbase_running_exits_3(
    verb: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sv", "--run-dir", str(tmp_path), *verb]) == 3


def test_sv_finds_the_socket_under_the_root(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sv", "--root", str(tmp_path), "status"]) == 3
    assert f"{tmp_path}/run/control.sock" in capsys.readouterr().err


def test_sv_up_needs_a_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sv", "up"]) == 2
    assert capsys.readouterr().err == (
        "lightbase sv up: the following arguments are required: NAME\n"
    )


def test_health_without_lightbase_running_is_unhealthy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["health", "--run-dir", str(tmp_path)]) == 1
    assert capsys.readouterr().out == (
        f"unhealthy: lightbase is not running (no control socket at {tmp_path}/control.sock)\n"
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "environment").mkdir()
    (tmp_path / "environment" / "default.yaml").write_text(
        "GREETING: hello\nDB_PASSWORD: hunter22\nMODE: '0755'\n"
    )
    return tmp_path


def test_env_prints_name_value_lines_with_secrets_hidden(
    tree: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FROM_PROCESS", "a b")
    assert main(["env", "--root", str(tree)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    for expected in ("DB_PASSWORD=***", "GREETING=hello", "MODE=0755", "FROM_PROCESS=a b"):
        assert expected in lines
    assert "hunter22" not in out
    names = [line.split("=", 1)[0] for line in lines]
    assert names == sorted(names)


def test_env_skip_env_files_leaves_the_files_out(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["env", "--root", str(tree), "--skip-env-files"]) == 0
    assert "GREETING=hello" not in capsys.readouterr().out.splitlines()


def test_env_explain_names_the_file_and_line(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["env", "--root", str(tree), "--explain", "DB_PASSWORD"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("DB_PASSWORD=***\n  from: environment/default.yaml:2\n")


def test_env_explain_says_what_the_process_environment_overruled(
    tree: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GREETING", "hi")
    assert main(["env", "--root", str(tree), "--explain", "GREETING"]) == 0
    assert capsys.readouterr().out.startswith(
        "GREETING=hi\n"
        "  from: process environment\n"
        "  also defined in environment/default.yaml:1 (ignored: defined earlier)\n"
    )


def test_env_explain_output_has_no_trailing_empty_line(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["env", "--root", str(tree), "--explain", "GREETING"]) == 0
    assert capsys.readouterr().out == "GREETING=hello\n  from: environment/default.yaml:1\n"


def test_env_explain_of_an_unknown_name_is_an_error(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["env", "--root", str(tree), "--explain", "NOPE"]) == 1
    assert capsys.readouterr().err == "lightbase: no variable NOPE in the environment\n"


def test_env_with_a_broken_file_is_a_configuration_error(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tree / "environment" / "broken.yaml").write_text("A: 1\nB: [unclosed\n")
    assert main(["env", "--root", str(tree)]) == 78
    err = capsys.readouterr().err
    assert err.startswith("lightbase: environment/broken.yaml:")
    assert err.count("\n") == 1
