"""The errors keyper raises: configuration problems and API errors with an HTTP status."""

from __future__ import annotations


class KeyperError(Exception):
    """Base of every error keyper raises on purpose."""


class ConfigError(KeyperError):
    """A missing or invalid environment variable; the message names it."""


class ApiError(KeyperError):
    """An error the API answers with `status` and a JSON body `{"error": message}`."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class SshKeygenError(ApiError):
    """ssh-keygen failed; the API answers 500 with ssh-keygen's own reason, or 400 for bad keys."""
