"""log-helper: run-log lines from scripts, level tests, stdin draining, redaction."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
STAMP = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"


def log_helper(
    *args: str, env: dict[str, str] | None = None, stdin: bytes | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lightbase.tools.log_helper", *args],
        input=stdin.decode() if stdin is not None else None,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", **(env or {})},
        check=False,
    )


def lines(stderr: str) -> list[str]:
    """The lines with the time stamp replaced by TIME, so they can be written out."""
    return [re.sub(STAMP, "TIME", line) for line in stderr.splitlines()]


def test_message_arguments_are_joined_and_printed_on_stderr() -> None:
    result = log_helper("info", "Starting", "slapd", "*")
    assert (result.returncode, result.stdout) == (0, "")
    assert lines(result.stderr) == ["*** INFO    | TIME | Starting slapd *"]


def test_message_is_data_not_shell() -> None:
    result = log_helper("warning", "$HOME `id` $(id) *  two  spaces")
    assert lines(result.stderr) == ["*** WARNING | TIME | $HOME `id` $(id) *  two  spaces"]


def test_every_line_of_a_multi_line_message_is_prefixed() -> None:
    result = log_helper("error", "first\nsecond")
    assert lines(result.stderr) == ["*** ERROR   | TIME | first", "*** ERROR   | TIME | second"]


def test_message_from_stdin_drops_trailing_newlines() -> None:
    result = log_helper("info", stdin=b"one\ntwo\n\n")
    assert result.returncode == 0
    assert lines(result.stderr) == ["*** INFO    | TIME | one", "*** INFO    | TIME | two"]


def test_empty_stdin_prints_nothing() -> None:
    result = log_helper("info", stdin=b"")
    assert (result.returncode, result.stderr) == (0, "")


@pytest.mark.parametrize(
    ("level", "message_level", "shown"),
    [
        ("info", "info", True),
        ("info", "debug", False),
        ("3", "warning", True),
        ("debug", "debug", True),
        ("trace", "trace", True),
        ("error", "warning", False),
        ("none", "error", False),
        ("0", "error", False),
        ("", "info", True),  # unset or empty means info
        ("", "debug", False),
    ],
)
def test_container_log_level_decides_what_is_printed(
    level: str, message_level: str, shown: bool
) -> None:
    result = log_helper(message_level, "hello", env={"CONTAINER_LOG_LEVEL": level})
    assert result.returncode == 0
    assert bool(result.stderr) is shown


def test_disabled_level_still_drains_stdin_so_the_producer_sees_no_sigpipe() -> None:
    # 2 MB is far more than a pipe buffer: a reader that stops early would kill `seq`.
    script = "set -o pipefail; seq 1 300000 | log-helper debug; echo ${PIPESTATUS[*]}"
    result = subprocess.run(
        ["bash", "-c", script],
        capture_output=True,
        text=True,
        env={"PATH": f"{BIN}:/usr/bin:/bin", "CONTAINER_LOG_LEVEL": "info"},
        check=False,
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "0 0\n", "")


def test_secret_values_are_redacted_as_in_the_run_log() -> None:
    env = {"LDAP_ADMIN_PASSWORD": "s3cr3t-pw", "API_TOKEN": "tok-123456", "NAME": "visible"}
    result = log_helper("info", "bind with s3cr3t-pw and tok-123456 as visible", env=env)
    assert lines(result.stderr) == ["*** INFO    | TIME | bind with *** and *** as visible"]


def test_secret_names_variable_replaces_the_default_words() -> None:
    env = {"CONTAINER_SECRET_NAMES": "PIN", "BANK_PIN": "987654", "MY_PASSWORD": "plain-pw"}
    result = log_helper("info", "987654 plain-pw", env=env)
    assert lines(result.stderr) == ["*** INFO    | TIME | *** plain-pw"]


@pytest.mark.parametrize(
    ("current", "args", "code"),
    [
        ("info", ("eq", "info"), 0),
        ("info", ("eq", "3"), 0),
        ("info", ("ne", "info"), 1),
        ("info", ("gt", "warning"), 0),
        ("info", ("gt", "info"), 1),
        ("debug", ("ge", "debug"), 0),
        ("info", ("ge", "debug"), 1),
        ("info", ("lt", "debug"), 0),
        ("trace", ("lt", "debug"), 1),
        ("error", ("le", "warning"), 0),
        ("", ("eq", "info"), 0),
    ],
)
def test_level_subcommand_is_a_test(current: str, args: tuple[str, str], code: int) -> None:
    result = log_helper("level", *args, env={"CONTAINER_LOG_LEVEL": current})
    assert (result.returncode, result.stdout, result.stderr) == (code, "", "")


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        ((), {}, "log-helper: missing LEVEL (usage: log-helper LEVEL [MESSAGE...])"),
        (
            ("loud", "x"),
            {},
            "log-helper: unknown log level 'loud' "
            "(use one of none, error, warning, info, debug, trace or 0-5)",
        ),
        (
            ("info", "x"),
            {"CONTAINER_LOG_LEVEL": "verbose"},
            "log-helper: CONTAINER_LOG_LEVEL: unknown log level 'verbose' "
            "(use one of none, error, warning, info, debug, trace or 0-5)",
        ),
        (
            ("level", "about", "info"),
            {},
            "log-helper: unknown comparison 'about' (use one of eq, ne, gt, ge, lt, le)",
        ),
        (("level", "eq"), {}, "log-helper: usage: log-helper level eq|ne|gt|ge|lt|le LEVEL"),
        (("level", "eq", "9"), {}, "log-helper: unknown log level '9' "
            "(use one of none, error, warning, info, debug, trace or 0-5)"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_exit_2(
    args: tuple[str, ...], env: dict[str, str], message: str
) -> None:
    result = log_helper(*args, env=env)
    assert (result.returncode, result.stderr) == (2, message + "\n")


def test_help_documents_usage_environment_and_exit_codes() -> None:
    result = log_helper("--help")
    assert result.returncode == 0
    assert result.stdout.startswith("usage: log-helper LEVEL [MESSAGE...]\n")
    for heading in ("environment:", "CONTAINER_LOG_LEVEL", "exit codes:"):
        assert heading in result.stdout


def test_console_script_imports_no_heavy_modules() -> None:
    # It runs once per message in loops: yaml, json, subprocess... would cost every call.
    code = (
        "import sys, lightbase.tools.log_helper\n"
        "heavy = ('yaml', 'json', 'subprocess', 'socket', 'argparse', 'pathlib', 'dataclasses')\n"
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout == "[]\n"
