"""Wait statuses as exit codes and words: pure functions, table-tested."""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass


@dataclass(frozen=True)
class Exit:
    """How a process ended: an exit code, or the signal that killed it."""

    code: int | None = None
    signal: int | None = None

    @classmethod
    def from_status(cls, status: int) -> Exit:
        if os.WIFSIGNALED(status):
            return cls(signal=os.WTERMSIG(status))
        return cls(code=os.waitstatus_to_exitcode(status))

    @property
    def exit_code(self) -> int:
        """The shell convention: the code, or 128 + signal number."""
        if self.signal is not None:
            return 128 + self.signal
        return self.code if self.code is not None else 0

    @property
    def success(self) -> bool:
        return self.signal is None and self.code == 0

    def describe(self) -> str:
        if self.signal is not None:
            return f"killed by {signal_name(self.signal)}"
        return f"exited with code {self.code}"

    def as_json(self) -> dict[str, object]:
        return {
            "code": self.code,
            "signal": signal_name(self.signal) if self.signal is not None else None,
        }


def signal_name(number: int) -> str:
    """15 -> 'SIGTERM'; an unnamed number (a real-time signal) -> 'signal 40'."""
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"
