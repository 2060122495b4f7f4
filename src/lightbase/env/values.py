"""Rules every value obeys, and reading a value from a file."""

from __future__ import annotations

from pathlib import Path

from ..errors import ConfigError
from .model import Source

# Linux refuses to exec with an environment string ("NAME=value" plus its NUL) longer than
# MAX_ARG_STRLEN (32 pages of 4 KiB); every script would fail with "Argument list too long".
MAX_ENTRY_BYTES = 32 * 4096


def encode(text: str) -> bytes:
    """The bytes of a value; bytes that were not UTF-8 come back as they were."""
    return text.encode("utf-8", "surrogateescape")


def strip_newline(text: str) -> str:
    """Remove one trailing `\\n` or `\\r\\n`: what `echo` and editors add to a file."""
    if text.endswith("\r\n"):
        return text[:-2]
    if text.endswith("\n"):
        return text[:-1]
    return text


def read_value_file(path: Path) -> str:
    """A value kept in a file, byte for byte (bytes that are not UTF-8 pass through);
    OSError when it cannot be read. Reads at most one byte past the limit."""
    with path.open("rb") as handle:
        data = handle.read(MAX_ENTRY_BYTES + 2)
    return strip_newline(data.decode("utf-8", "surrogateescape"))


def check_name(name: str, where: Source) -> None:
    if not name or "=" in name or "\0" in name:
        raise ConfigError(f"{where}: {name!r} cannot be a variable name (empty, '=' or NUL)")


def check_value(name: str, value: str, where: Source) -> None:
    """A value the process environment can hold, or ConfigError naming the variable."""
    check_name(name, where)
    if "\0" in value:
        raise ConfigError(
            f"{where}: {name}: the value contains a NUL byte, which no "
            "environment variable (and no bash variable) can hold"
        )
    try:
        size = len(encode(name)) + len(encode(value)) + 2
    except UnicodeEncodeError:
        raise ConfigError(f"{where}: {name}: not valid text (a lone surrogate)") from None
    if size > MAX_ENTRY_BYTES:
        raise ConfigError(
            f"{where}: {name}: the value is too long ({size} bytes with its name; "
            f"Linux allows {MAX_ENTRY_BYTES} per variable)"
        )
