"""Human views of an environment for `lightbase env`: the list, and where one value came from.

Values are passed through the caller's redactor, then escaped (`\\n`, `\\t`, `\\\\`, other
control characters as `\\xHH`) so each variable stays on one line.
"""

from __future__ import annotations

from collections.abc import Callable

from ..errors import LightbaseError
from .model import Environment

_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape(text: str) -> str:
    return "".join(
        _ESCAPES.get(c) or (f"\\x{ord(c):02x}" if ord(c) < 0x20 or ord(c) == 0x7F else c)
        for c in text
    )


def render(env: Environment, redact: Callable[[str], str]) -> str:
    """`NAME=value` lines, sorted by name, secrets redacted."""
    return "".join(f"{name}={escape(redact(env[name].value))}\n" for name in sorted(env))


def explain(env: Environment, name: str, redact: Callable[[str], str]) -> str:
    """The value of `name`, where it came from and which definitions it overruled."""
    if name not in env:
        gone = env.overruled(name)
        if gone:
            return f"{name} is not set\n" + _overruled_lines(env, name)
        raise LightbaseError(f"no variable {name} in the environment")
    variable = env[name]
    lines = [
        f"{name}={escape(redact(variable.value))}",
        f"  from: {variable.source}",
    ]
    if variable.startup_only:
        lines.append("  startup only: removed from the processes' environment after startup")
    return "\n".join(lines) + "\n" + _overruled_lines(env, name)


def _overruled_lines(env: Environment, name: str) -> str:
    return "".join(
        f"  also defined in {item.source} ({item.reason.value})\n" for item in env.overruled(name)
    )
