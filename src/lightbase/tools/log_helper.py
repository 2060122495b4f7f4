"""log-helper: print a message in the run log's format when the log level allows it.

Imports only `lightbase.log` and the small CLI helper: scripts call it in loops, so its
start-up time is its cost (see docs/tools.md for the measurement).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence

from ..errors import UsageError
from ..log import Level, Logger, Redactor, parse_level
from ._cli import run

NAME = "log-helper"
LEVEL_VARIABLE = "CONTAINER_LOG_LEVEL"
DEFAULT_LEVEL = Level.INFO

HELP = """
usage: log-helper LEVEL [MESSAGE...]
       log-helper level eq|ne|gt|ge|lt|le LEVEL
       log-helper --help

Print MESSAGE on stderr as a run-log line, `*** LEVEL | YYYY-mm-dd HH:MM:SS | MESSAGE`,
when LEVEL is enabled by $CONTAINER_LOG_LEVEL. The arguments are joined with one space and
used as they are (never glob-expanded or split again). Without MESSAGE arguments the message
is read from stdin, and stdin is always read to its end, even when LEVEL is disabled, so a
producer piping into log-helper never gets SIGPIPE. Trailing newlines of stdin are dropped;
every line of a multi-line message gets the prefix. Values of secret variables (names
with PASSWORD, PASSWD, SECRET, CREDENTIAL(S) or PRIVATE as a part, or ending in TOKEN or
KEY; or the words in $CONTAINER_SECRET_NAMES) are replaced with *** as in the run log.

LEVEL is a name or number: none=0 error=1 warning=2 info=3 debug=4 trace=5.

`log-helper level OP LEVEL` compares the current level with LEVEL and exits 0 when the
comparison holds, 1 when it does not:  if log-helper level ge debug; then ...; fi

environment:
  CONTAINER_LOG_LEVEL   current level, name or number (default: info)
  CONTAINER_SECRET_NAMES  comma-separated name words that mark secrets (replaces the default)

exit codes:
  0  printed, or LEVEL disabled (nothing printed); `level`: the comparison holds
  1  `level`: the comparison does not hold
  2  wrong usage, unknown LEVEL or operator, bad $CONTAINER_LOG_LEVEL
"""

COMPARISONS: dict[str, Callable[[Level, Level], bool]] = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
}


def current_level(environ: Mapping[str, str]) -> Level:
    """`CONTAINER_LOG_LEVEL` as a Level; unset or empty means info."""
    text = environ.get(LEVEL_VARIABLE, "").strip()
    if not text:
        return DEFAULT_LEVEL
    try:
        return parse_level(text)
    except ValueError as exc:
        raise UsageError(f"{LEVEL_VARIABLE}: {exc}") from None


def _level_argument(text: str) -> Level:
    try:
        return parse_level(text)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def compare(current: Level, args: Sequence[str]) -> bool:
    """`level OP LEVEL`: does `current OP LEVEL` hold?"""
    if len(args) != 2:
        raise UsageError("usage: log-helper level eq|ne|gt|ge|lt|le LEVEL")
    operator, level = args
    test = COMPARISONS.get(operator)
    if test is None:
        raise UsageError(f"unknown comparison {operator!r} (use one of {', '.join(COMPARISONS)})")
    return test(current, _level_argument(level))


def drain(fd: int) -> bytes:
    """Everything readable from `fd` until end of file; a closed descriptor reads as empty."""
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except InterruptedError:  # pragma: no cover - PEP 475 retries, kept for clarity
            continue
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def _body(args: list[str]) -> int:
    if not args:
        raise UsageError("missing LEVEL (usage: log-helper LEVEL [MESSAGE...])")
    current = current_level(os.environ)
    if args[0] == "level":
        return 0 if compare(current, args[1:]) else 1
    level = _level_argument(args[0])
    logger = Logger(current, fd=2)
    if len(args) > 1:
        message = " ".join(args[1:])
    else:
        if os.isatty(0):
            raise UsageError("no message: give it as arguments or on stdin")
        data = drain(0)  # read even when disabled: the producer must not get SIGPIPE
        message = data.decode("utf-8", "replace").rstrip("\n")
        if not message:
            return 0
    if logger.enabled(level):
        logger.redact = Redactor.from_environment(os.environ)
        logger.log(level, message)
    return 0


def main(argv: list[str] | None = None) -> int:
    return run(NAME, HELP, _body, argv)


if __name__ == "__main__":
    sys.exit(main())
