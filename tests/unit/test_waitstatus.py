"""Wait status -> exit code and words, for every exit code and every signal (as tini tests it).

Statuses are built as the kernel builds them: an exit is `code << 8`, a death by signal is the
signal number (plus 0x80 when a core was dumped). A few real processes check that assumption.
"""

from __future__ import annotations

import os
import signal
import subprocess

import pytest

from lightbase.supervisor.waitstatus import Exit, signal_name

# Linux signal numbers and the names Python gives them; 32, 33 and 35-63 have none.
SIGNAL_NAMES = {
    1: "SIGHUP",
    2: "SIGINT",
    3: "SIGQUIT",
    4: "SIGILL",
    5: "SIGTRAP",
    6: "SIGABRT",
    7: "SIGBUS",
    8: "SIGFPE",
    9: "SIGKILL",
    10: "SIGUSR1",
    11: "SIGSEGV",
    12: "SIGUSR2",
    13: "SIGPIPE",
    14: "SIGALRM",
    15: "SIGTERM",
    16: "SIGSTKFLT",
    17: "SIGCHLD",
    18: "SIGCONT",
    19: "SIGSTOP",
    20: "SIGTSTP",
    21: "SIGTTIN",
    22: "SIGTTOU",
    23: "SIGURG",
    24: "SIGXCPU",
    25: "SIGXFSZ",
    26: "SIGVTALRM",
    27: "SIGPROF",
    28: "SIGWINCH",
    29: "SIGIO",
    30: "SIGPWR",
    31: "SIGSYS",
    34: "SIGRTMIN",
    64: "SIGRTMAX",
}


@pytest.mark.parametrize("code", range(256))
def test_every_exit_code_is_kept(code: int) -> None:
    exit_ = Exit.from_status(code << 8)
    assert exit_ == Exit(code=code, signal=None)
    assert exit_.exit_code == code
    assert exit_.describe() == f"exited with code {code}"
    assert exit_.success is (code == 0)
    assert exit_.as_json() == {"code": code, "signal": None}


@pytest.mark.parametrize("signum", range(1, 65))
@pytest.mark.parametrize("core", [False, True], ids=["plain", "core-dumped"])
def test_every_signal_becomes_128_plus_its_number(signum: int, core: bool) -> None:
    status = signum | (0x80 if core else 0)
    name = SIGNAL_NAMES.get(signum, f"signal {signum}")
    exit_ = Exit.from_status(status)
    assert exit_ == Exit(code=None, signal=signum)
    assert exit_.exit_code == 128 + signum
    assert exit_.describe() == f"killed by {name}"
    assert exit_.success is False
    assert exit_.as_json() == {"code": None, "signal": name}


def test_signal_name_of_every_number() -> None:
    assert {n: signal_name(n) for n in range(1, 65)} == {
        n: SIGNAL_NAMES.get(n, f"signal {n}") for n in range(1, 65)
    }


def test_an_empty_exit_counts_as_code_zero() -> None:
    assert Exit().exit_code == 0


def _real_status(argv: list[str]) -> int:
    proc = subprocess.Popen(argv)
    _, status = os.waitpid(proc.pid, 0)
    proc.returncode = 0  # reaped here: keep subprocess from waiting again
    return status


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["/bin/sh", "-c", "exit 0"], Exit(code=0)),
        (["/bin/sh", "-c", "exit 7"], Exit(code=7)),
        (["/bin/sh", "-c", "exit 255"], Exit(code=255)),
        (["/bin/sh", "-c", "kill -KILL $$"], Exit(signal=signal.SIGKILL)),
        (["/bin/sh", "-c", "kill -TERM $$"], Exit(signal=signal.SIGTERM)),
        (["/bin/sh", "-c", "kill -USR1 $$"], Exit(signal=signal.SIGUSR1)),
    ],
)
def test_statuses_of_real_processes(argv: list[str], expected: Exit) -> None:
    assert Exit.from_status(_real_status(argv)) == expected
