"""The run log: exact line format, levels, and secret redaction at every level."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from lightbase.log import (
    DEFAULT_SECRET_WORDS,
    Level,
    Logger,
    Redactor,
    format_line,
    is_secret_name,
    parse_level,
    secret_words,
)

# 2026-12-03 16:20:00 in the local time zone, which is what the log prints.
WHEN = time.mktime((2026, 12, 3, 16, 20, 0, 0, 0, -1))


# --- format_line ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        (Level.ERROR, "*** ERROR   | 2026-12-03 16:20:00 | msg\n"),
        (Level.WARNING, "*** WARNING | 2026-12-03 16:20:00 | msg\n"),
        (Level.INFO, "*** INFO    | 2026-12-03 16:20:00 | msg\n"),
        (Level.DEBUG, "*** DEBUG   | 2026-12-03 16:20:00 | msg\n"),
        (Level.TRACE, "*** TRACE   | 2026-12-03 16:20:00 | msg\n"),
    ],
)
def test_format_line_pads_the_level_and_stamps_local_time(level: Level, expected: str) -> None:
    assert format_line(level, "msg", now=WHEN) == expected


def test_format_line_prefixes_every_line_of_a_multi_line_message() -> None:
    assert format_line(Level.INFO, "first\nsecond\nthird", now=WHEN) == (
        "*** INFO    | 2026-12-03 16:20:00 | first\n"
        "*** INFO    | 2026-12-03 16:20:00 | second\n"
        "*** INFO    | 2026-12-03 16:20:00 | third\n"
    )


def test_format_line_of_an_empty_message_is_one_prefixed_line() -> None:
    assert format_line(Level.WARNING, "", now=WHEN) == "*** WARNING | 2026-12-03 16:20:00 | \n"


def test_format_line_without_a_time_uses_now() -> None:
    before = time.strftime("%Y-%m-%d %H:%M", time.localtime())
    line = format_line(Level.INFO, "x")
    after = time.strftime("%Y-%m-%d %H:%M", time.localtime())
    assert line[len("*** INFO    | ") :][:16] in (before, after)


# --- parse_level ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("none", Level.NONE),
        ("error", Level.ERROR),
        ("warning", Level.WARNING),
        ("info", Level.INFO),
        ("debug", Level.DEBUG),
        ("trace", Level.TRACE),
        ("0", Level.NONE),
        ("1", Level.ERROR),
        ("2", Level.WARNING),
        ("3", Level.INFO),
        ("4", Level.DEBUG),
        ("5", Level.TRACE),
        ("DEBUG", Level.DEBUG),
        ("Trace", Level.TRACE),
        (" info\n", Level.INFO),
    ],
)
def test_parse_level_accepts_every_name_and_number(text: str, expected: Level) -> None:
    assert parse_level(text) is expected


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("6", "'6'"),
        ("-1", "'-1'"),
        ("3.0", "'3.0'"),
        ("verbose", "'verbose'"),
        ("WARN", "'warn'"),
        ("", "''"),
        ("info debug", "'info debug'"),
    ],
)
def test_parse_level_rejects_anything_else_naming_the_accepted_values(
    text: str, shown: str
) -> None:
    with pytest.raises(ValueError) as caught:
        parse_level(text)
    assert str(caught.value) == (
        f"unknown log level {shown} (use one of none, error, warning, info, debug, trace or 0-5)"
    )


def test_parse_level_rejects_a_superscript_digit_with_the_usual_message() -> None:
    with pytest.raises(ValueError, match="use one of none, error"):
        parse_level("²")


def test_level_numbers_are_the_container_log_level_numbers() -> None:
    assert [(level.name, int(level)) for level in Level] == [
        ("NONE", 0),
        ("ERROR", 1),
        ("WARNING", 2),
        ("INFO", 3),
        ("DEBUG", 4),
        ("TRACE", 5),
    ]


# --- Logger -------------------------------------------------------------------------------------


def _logged(tmp_path: Path, level: Level, redactor: Redactor | None = None) -> list[str]:
    """Log one message at each level through a Logger at `level`; return the messages written."""
    path = tmp_path / "log"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        logger = Logger(level, fd=fd, redactor=redactor)
        logger.error("an error")
        logger.warning("a warning")
        logger.info("some info")
        logger.debug("a debug note")
        logger.trace("a trace note")
        logger.log(Level.NONE, "a NONE record")
    finally:
        os.close(fd)
    return [line.split(" | ", 2)[2] for line in path.read_text().splitlines()]


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        (Level.NONE, []),
        (Level.ERROR, ["an error"]),
        (Level.WARNING, ["an error", "a warning"]),
        (Level.INFO, ["an error", "a warning", "some info"]),
        (Level.DEBUG, ["an error", "a warning", "some info", "a debug note"]),
        (Level.TRACE, ["an error", "a warning", "some info", "a debug note", "a trace note"]),
    ],
)
def test_logger_writes_records_at_or_below_its_level(
    tmp_path: Path, level: Level, expected: list[str]
) -> None:
    assert _logged(tmp_path, level) == expected


def test_logger_line_carries_the_record_level(tmp_path: Path) -> None:
    path = tmp_path / "log"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        Logger(Level.TRACE, fd=fd).debug("x")
    finally:
        os.close(fd)
    assert path.read_text().startswith("*** DEBUG   | ")


def test_logger_survives_a_closed_descriptor() -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)
    os.close(write_end)
    Logger(Level.INFO, fd=write_end).error("nowhere to go")  # must not raise


# --- redaction --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "level", [Level.ERROR, Level.WARNING, Level.INFO, Level.DEBUG, Level.TRACE]
)
def test_secret_is_redacted_at_every_level(tmp_path: Path, level: Level) -> None:
    redactor = Redactor.from_environment({"DB_PASSWORD": "hunter2", "USER": "bob"})
    path = tmp_path / "log"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        Logger(Level.TRACE, fd=fd, redactor=redactor).log(level, "bob logs in with hunter2")
    finally:
        os.close(fd)
    assert path.read_text().split(" | ", 2)[2] == "bob logs in with ***\n"


def test_redactor_replaces_the_longest_secret_first() -> None:
    redact = Redactor(["abc", "abcdef"])
    assert redact("x abcdef y abc z") == "x *** y *** z"


def test_redactor_leaves_values_shorter_than_three_characters() -> None:
    redact = Redactor(["on", "1", " ab ", "xyz"])
    assert redact("on 1 ab xyz") == "on 1 ab ***"


def test_redactor_treats_secret_text_literally_not_as_a_pattern() -> None:
    redact = Redactor(["a.b*"])
    assert redact("axbb a.b*") == "axbb ***"


def test_redactor_hides_each_line_of_a_multi_line_secret() -> None:
    key = "-----BEGIN KEY-----\nMIIEabc123\n-----END KEY-----"
    redact = Redactor([key])
    assert redact(f"whole: {key}") == "whole: ***"
    assert redact("line: MIIEabc123") == "line: ***"
    assert redact("first: -----BEGIN KEY-----") == "first: ***"


def test_redactor_hides_lines_of_a_crlf_secret() -> None:
    redact = Redactor(["line-one\r\nline-two"])
    assert redact("got line-two") == "got ***"


def test_redactor_added_secrets_are_hidden_from_then_on() -> None:
    redact = Redactor()
    assert redact("token s3cr3t") == "token s3cr3t"
    redact.add(["s3cr3t"])
    assert redact("token s3cr3t") == "token ***"


def test_redactor_from_environment_picks_names_that_look_secret() -> None:
    environ = {
        "DB_PASSWORD": "pw-value",
        "LDAP_PASSWD": "passwd-value",
        "APP_SECRET": "secret-value",
        "GITHUB_TOKEN": "token-value",
        "API_KEY": "key-value",
        "AWS_CREDENTIALS": "cred-value",
        "SSH_PRIVATE": "private-value",
        "db_password": "lower-value",
        "HOSTNAME": "host-value",
    }
    redact = Redactor.from_environment(environ)
    text = " ".join(environ.values())
    assert redact(text) == "*** *** *** *** *** *** *** *** host-value"


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("DB_PASSWORD", True),
        ("ssh_private_key", True),
        ("Api_Token", True),
        ("HOSTNAME", False),
        ("PATH", False),
        ("PASS", False),
        ("DBPASSWORD", True),
        ("PASSWORD_SALT", True),
        ("SECRET_KEY_BASE", True),
        ("AWS_SECRET_ACCESS_KEY", True),
        ("GITHUB_TOKEN", True),
        # KEY and TOKEN count only at the end: these hold a type, a duration, a mode.
        ("SSH_CA_KEY_TYPE", False),
        ("KEYPER_TOKEN_TTL", False),
        ("KEYPER_DEV_MODE", False),
        ("LDAP_TLS_KEY_FILENAME", False),
        ("MONKEY_BUSINESS", False),
    ],
)
def test_is_secret_name_matches_the_default_words_in_any_case(name: str, secret: bool) -> None:
    assert is_secret_name(name) is secret


def test_default_secret_words() -> None:
    assert DEFAULT_SECRET_WORDS == (
        "PASSWORD",
        "PASSWD",
        "SECRET",
        "CREDENTIAL",
        "CREDENTIALS",
        "PRIVATE",
        "TOKEN$",
        "KEY$",
    )
    assert secret_words({}) == DEFAULT_SECRET_WORDS


def test_container_secret_names_replaces_the_default_words() -> None:
    environ = {
        "CONTAINER_SECRET_NAMES": "pin, apikey ,",
        "BANK_PIN": "4711-9",
        "DB_PASSWORD": "pw1",
    }
    assert secret_words(environ) == ("PIN", "APIKEY")
    redact = Redactor.from_environment(environ)
    assert redact("4711-9 pw1") == "*** pw1"


def test_empty_container_secret_names_keeps_the_defaults() -> None:
    assert secret_words({"CONTAINER_SECRET_NAMES": " , "}) == DEFAULT_SECRET_WORDS


def test_the_key_half_of_a_complex_row_is_not_a_secret() -> None:
    environ = {
        "LDAP_OPTIONS": "#COMPLEX_BASH_ENV:TABLE: LDAP_OPTIONS_ROW_1",
        "LDAP_OPTIONS_ROW_1": (
            "#COMPLEX_BASH_ENV:ROW: LDAP_OPTIONS_ROW_1_KEY LDAP_OPTIONS_ROW_1_VALUE"
        ),
        "LDAP_OPTIONS_ROW_1_KEY": "olcLogLevel",
        "LDAP_OPTIONS_ROW_1_VALUE": "stats",
        "API_KEY": "k-123456",
    }
    redact = Redactor.from_environment(environ)
    assert redact("setting olcLogLevel with k-123456") == "setting olcLogLevel with ***"
