"""Start a process: its own session and process group, its environment, optionally another user."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import LightbaseError
from ..users import Credentials


class SpawnError(LightbaseError):
    """The program could not be executed at all."""


@dataclass(frozen=True)
class Stdio:
    stdin: int | None = subprocess.DEVNULL  # services never read the container's terminal
    stdout: int | None = None  # None: inherit
    stderr: int | None = None


def spawn(
    argv: Sequence[str | Path],
    env: Mapping[str, str],
    *,
    cwd: Path | None = None,
    credentials: Credentials | None = None,
    stdio: Stdio = Stdio(),
    foreground: bool = False,
    notify_fd: tuple[int, int] | None = None,
) -> subprocess.Popen[bytes]:
    """Fork and exec `argv`; returns once the exec succeeded (or raises SpawnError).

    The caller owns reaping: it watches the pid in the event loop and sets `returncode` on the
    returned object when the process is reaped, so `subprocess` never waits on it itself.
    `notify_fd=(parent_fd, number)` makes `parent_fd` appear as descriptor `number` in the child.
    `foreground=True` keeps the process in our session (in a process group of its own) and hands
    it the terminal, so Ctrl-C and job control reach it and not the init.
    """
    environment = dict(env)
    kwargs: dict[str, object] = {}
    if credentials is not None:
        environment.update(credentials.environment())
        kwargs.update(
            user=credentials.uid, group=credentials.gid, extra_groups=list(credentials.groups)
        )
    child_steps: list[Callable[[], None]] = []
    if notify_fd is not None:
        source, target = notify_fd
        # The copy dup2 makes is inheritable, so it survives the exec.
        child_steps.append(lambda: os.dup2(source, target))
        # Our own descriptors are all close-on-exec (PEP 446), so nothing else leaks; closing
        # "all but" would close the descriptor placed above.
        kwargs["close_fds"] = False
    if foreground:
        child_steps.append(_take_terminal)
    if child_steps:
        kwargs["preexec_fn"] = lambda: [step() for step in child_steps]
    try:
        return subprocess.Popen(  # argv, never a shell string
            [str(a) for a in argv],
            env=environment,
            cwd=cwd,
            stdin=stdio.stdin,
            stdout=stdio.stdout,
            stderr=stdio.stderr,
            start_new_session=not foreground,
            **kwargs,  # type: ignore[arg-type]
        )
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise SpawnError(f"cannot execute {argv[0]}: {reason}") from None


def _take_terminal() -> None:
    """In the child: a process group of its own, made the terminal's foreground group."""
    os.setpgid(0, 0)
    if os.isatty(0):
        # A background group calling tcsetpgrp gets SIGTTOU unless it ignores it; the
        # default disposition comes back at exec.
        previous = signal.signal(signal.SIGTTOU, signal.SIG_IGN)
        try:
            os.tcsetpgrp(0, os.getpgrp())
        except OSError:
            pass
        signal.signal(signal.SIGTTOU, previous)
