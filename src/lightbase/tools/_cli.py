"""What every tool does at its command-line boundary: help, one-line errors, exit codes.

Kept to the standard library's cheapest modules: log-helper imports it and is called in
loops, so every millisecond of import time is paid many times.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence

from ..errors import LightbaseError, UsageError

HELP_OPTIONS = ("-h", "--help")


def run(
    name: str, help_text: str, body: Callable[[list[str]], int], argv: Sequence[str] | None
) -> int:
    """Call `body(args)`; `--help` as the first argument prints the help instead.

    A LightbaseError becomes `NAME: message` on stderr and its exit code.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] and args[0] in HELP_OPTIONS:
        sys.stdout.write(help_text.strip("\n") + "\n")
        return 0
    try:
        return body(args)
    except LightbaseError as exc:
        say(name, str(exc))
        return exc.exit_code
    except BrokenPipeError:
        # A reader that went away (`tool | head -1`) is not an error worth a traceback.
        _silence_stdout()
        return 1


def say(name: str, message: str) -> None:
    """One line on stderr, prefixed with the tool's name."""
    try:
        sys.stderr.write(f"{name}: {message}\n")
        sys.stderr.flush()
    except OSError:
        pass


def take_value(args: list[str], index: int, option: str) -> str:
    """The value after `option` at args[index], or a usage error naming the option."""
    if index + 1 >= len(args):
        raise UsageError(f"option {option} needs a value")
    return args[index + 1]


def parse_seconds(text: str, option: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise UsageError(f"{option}: expected a number of seconds, got {text!r}") from None
    if not value >= 0 or value == float("inf"):
        raise UsageError(f"{option}: expected a number of seconds >= 0, got {text!r}")
    return value


def _silence_stdout() -> None:
    # Python flushes stdout again at exit; point it at /dev/null so that flush cannot fail.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
