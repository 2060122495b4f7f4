"""Errors that carry their exit code; only the CLI boundary turns them into an exit."""

from __future__ import annotations

# Exit codes shared by every command (README, "Exit codes").
EXIT_OK = 0
EXIT_INTERNAL = 70  # EX_SOFTWARE: a bug in lightbase; a traceback is printed
EXIT_CONFIG = 78  # EX_CONFIG: bad configuration found before anything ran


class LightbaseError(Exception):
    """An expected failure: one clear line for the user and an exit code."""

    exit_code: int = 1

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class ConfigError(LightbaseError):
    """The container tree, an environment file or an option is wrong."""

    exit_code = EXIT_CONFIG


class StartupError(LightbaseError):
    """A startup script failed; the container exits with the script's code."""


class UsageError(LightbaseError):
    """Wrong command-line arguments."""

    exit_code = 2
