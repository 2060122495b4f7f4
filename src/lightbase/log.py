"""The run log: `*** LEVEL | time | message` lines on stderr, levels, secret redaction.

The same line format and redaction are used by `lightbase run` and by the
`log-helper` tool, so a secret that is hidden in one is hidden in the other.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterable, Mapping
from enum import IntEnum


class Level(IntEnum):
    """Log levels, numbered as `CONTAINER_LOG_LEVEL` numbers them."""

    NONE = 0
    ERROR = 1
    WARNING = 2
    INFO = 3
    DEBUG = 4
    TRACE = 5


LEVEL_NAMES = tuple(level.name.lower() for level in Level)
_WIDTH = max(len(level.name) for level in Level)

# Words (case-insensitive) that mark a variable's value as secret. A word counts when it is
# a whole `_`-separated part of the name or ends it (DB_PASSWORD, PASSWORD_SALT, DBPASSWORD);
# a word ending in `$` counts only at the end (API_KEY, GITHUB_TOKEN, but not SSH_CA_KEY_TYPE
# or KEYPER_TOKEN_TTL, whose values would otherwise vanish from every log line).
DEFAULT_SECRET_WORDS = (
    "PASSWORD",
    "PASSWD",
    "SECRET",
    "CREDENTIAL",
    "CREDENTIALS",
    "PRIVATE",
    "TOKEN$",
    "KEY$",
)
SECRET_WORDS_VARIABLE = "CONTAINER_SECRET_NAMES"
REDACTED = "***"
# Shorter values are not redacted: hiding every "1" or "on" would garble the log
# without protecting anything a guess would not find.
MIN_SECRET_LENGTH = 3


def parse_level(text: str) -> Level:
    """`info` or `3` -> Level.INFO; ValueError names the accepted values."""
    text = text.strip().lower()
    if text.isascii() and text.isdigit() and int(text) in Level._value2member_map_:
        return Level(int(text))
    if text in LEVEL_NAMES:
        return Level[text.upper()]
    raise ValueError(f"unknown log level {text!r} (use one of {', '.join(LEVEL_NAMES)} or 0-5)")


def secret_words(environ: Mapping[str, str]) -> tuple[str, ...]:
    """The name substrings that mark a secret; `CONTAINER_SECRET_NAMES` replaces the default."""
    configured = environ.get(SECRET_WORDS_VARIABLE, "")
    words = tuple(w.strip().upper() for w in configured.split(",") if w.strip())
    return words or DEFAULT_SECRET_WORDS


def is_secret_name(name: str, words: Iterable[str] = DEFAULT_SECRET_WORDS) -> bool:
    upper = name.upper()
    parts = upper.split("_")
    for word in words:
        if word.endswith("$"):
            if upper.endswith(word[:-1]):
                return True
        elif word in parts or upper.endswith(word):
            return True
    return False


ROW_PREFIX = "#COMPLEX_BASH_ENV:ROW:"


def secret_values(environ: Mapping[str, str], words: Iterable[str]) -> list[str]:
    """Values of the variables whose name marks them secret.

    The `NAME_KEY` half of a complex-env row holds a map key (`olcLogLevel`), not a key in
    the secret sense, so rows' key variables are not secret by their name.
    """
    words = tuple(words)
    row_keys = {
        value.split()[1]
        for value in environ.values()
        if value.startswith(ROW_PREFIX) and len(value.split()) == 3
    }
    found = dict.fromkeys(
        value
        for name, value in environ.items()
        if value and name not in row_keys and is_secret_name(name, words)
    )
    return list(found)


class Redactor:
    """Replaces known secret values with `***` in any text."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        self.add(secrets)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> Redactor:
        return cls(secret_values(environ, secret_words(environ)))

    def add(self, secrets: Iterable[str]) -> None:
        for secret in secrets:
            pieces = {secret, *secret.splitlines()}  # a PEM key may be logged line by line
            self._secrets.update(p for p in pieces if len(p.strip()) >= MIN_SECRET_LENGTH)
        # Longest first, so a secret that contains another is replaced whole.
        ordered = sorted(self._secrets, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    def __call__(self, text: str) -> str:
        if self._pattern is None:
            return text
        return self._pattern.sub(REDACTED, text)


def format_line(level: Level, message: str, now: float | None = None) -> str:
    """One record: every line of a multi-line message gets the prefix."""
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(now))
    prefix = f"*** {level.name:<{_WIDTH}} | {stamp} | "
    message = message.removesuffix("\n")  # a trailing newline is not an extra, empty line
    lines = message.split("\n") if message else [""]
    return "".join(prefix + line + "\n" for line in lines)


class Logger:
    """Writes records at or below `level` to a file descriptor, redacted, one write each."""

    def __init__(self, level: Level = Level.INFO, fd: int = 2, redactor: Redactor | None = None):
        self.level = level
        self.fd = fd
        self.redact = redactor or Redactor()

    def enabled(self, level: Level) -> bool:
        return level != Level.NONE and level <= self.level

    def log(self, level: Level, message: str) -> None:
        if not self.enabled(level):
            return
        data = format_line(level, self.redact(message)).encode("utf-8", "backslashreplace")
        try:
            os.write(self.fd, data)  # one write: lines from concurrent writers never interleave
        except OSError:
            pass  # a closed stderr must never take the init down

    def error(self, message: str) -> None:
        self.log(Level.ERROR, message)

    def warning(self, message: str) -> None:
        self.log(Level.WARNING, message)

    def info(self, message: str) -> None:
        self.log(Level.INFO, message)

    def debug(self, message: str) -> None:
        self.log(Level.DEBUG, message)

    def trace(self, message: str) -> None:
        self.log(Level.TRACE, message)
