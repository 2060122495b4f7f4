"""Start a process: its own session and process group, its environment, optionally another user.

The common case (an absolute program path, same user, no terminal to hand over) goes through
`os.posix_spawn`: glibc starts the child with vfork semantics and reports a failed exec as an
error, without `subprocess`'s error pipe, its Python-level setup or its import. The other
cases fall back to `subprocess.Popen`, imported only then. Both return the same `Process`.
"""

from __future__ import annotations

import errno
import os
import signal
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from ..errors import LightbaseError
from ..users import Credentials

# subprocess.DEVNULL's value, so the Popen fallback takes a Stdio as it is.
DEVNULL = -3
# Dispositions a child must not inherit: Python ignores SIGPIPE and SIGXFSZ (Popen restores
# them too), and the init catches the rest (exec resets those; glibc's spawn does it earlier).
RESET_SIGNALS = (
    signal.SIGPIPE,
    signal.SIGXFSZ,
    signal.SIGCHLD,
    signal.SIGTERM,
    signal.SIGINT,
    signal.SIGQUIT,
    signal.SIGHUP,
    signal.SIGUSR1,
    signal.SIGUSR2,
    signal.SIGWINCH,
)


class SpawnError(LightbaseError):
    """The program could not be executed at all; `exit_code` is the shell's for that case:
    127 when it (or its interpreter) was not found, 126 when it could not be run."""


class Stdio(NamedTuple):
    stdin: int | None = DEVNULL  # services never read the container's terminal
    stdout: int | None = None  # None: inherit
    stderr: int | None = None


SERVICE_STDIO = Stdio()


class Process(NamedTuple):
    """A started child. The caller reaps it: it watches `pid` in the event loop."""

    pid: int


def spawn(
    argv: Sequence[str | Path],
    env: Mapping[str, str],
    *,
    cwd: Path | None = None,
    credentials: Credentials | None = None,
    stdio: Stdio = SERVICE_STDIO,
    foreground: bool = False,
    notify_fd: tuple[int, int] | None = None,
) -> Process:
    """Start `argv` (never a shell string); returns once the exec succeeded (or raises SpawnError).

    `notify_fd=(parent_fd, number)` makes `parent_fd` appear as descriptor `number` in the child.
    `foreground=True` keeps the process in our session (in a process group of its own) and hands
    it the terminal, so Ctrl-C and job control reach it and not the init.
    """
    args = [os.fspath(a) for a in argv]
    _seal_inherited_descriptors()
    try:
        if credentials is None and not foreground and "/" in args[0]:
            return Process(_posix_spawn(args, env, cwd, stdio, notify_fd))
        return Process(_popen(args, env, cwd, credentials, stdio, foreground, notify_fd))
    except OSError as exc:
        reason = exc.strerror or str(exc)
        code = 127 if exc.errno == errno.ENOENT else 126
        raise SpawnError(f"cannot execute {argv[0]}: {reason}", exit_code=code) from None


def _posix_spawn(
    args: list[str],
    env: Mapping[str, str],
    cwd: Path | None,
    stdio: Stdio,
    notify_fd: tuple[int, int] | None,
) -> int:
    actions: list[tuple[object, ...]] = []
    for target, fd in enumerate(stdio):  # stdin, stdout, stderr: descriptors 0, 1, 2
        if fd == DEVNULL:
            actions.append((os.POSIX_SPAWN_OPEN, target, os.devnull, os.O_RDWR, 0))
        elif fd is not None:
            actions.append((os.POSIX_SPAWN_DUP2, fd, target))
    if notify_fd is not None:
        actions.append((os.POSIX_SPAWN_DUP2, *notify_fd))  # the copy is inheritable
    if cwd is None:
        return _spawn_here(args, env, actions)
    # posix_spawn cannot change directory in the child (Python has no addchdir), so change
    # ours around it: the init is single-threaded, and returns to where it was at once.
    here = os.open(".", os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.chdir(cwd)
        try:
            return _spawn_here(args, env, actions)
        finally:
            os.fchdir(here)
    finally:
        os.close(here)


def _spawn_here(args: list[str], env: Mapping[str, str], actions: list[tuple[object, ...]]) -> int:
    return os.posix_spawn(
        args[0],
        args,
        env,
        file_actions=actions,  # type: ignore[arg-type]
        setsid=True,
        setsigdef=RESET_SIGNALS,
        setsigmask=(),
    )


def _popen(
    args: list[str],
    env: Mapping[str, str],
    cwd: Path | None,
    credentials: Credentials | None,
    stdio: Stdio,
    foreground: bool,
    notify_fd: tuple[int, int] | None,
) -> int:
    import subprocess  # only for another user, MAIN_COMMAND's terminal, or a PATH search

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
        # Nothing else leaks (see _seal_inherited_descriptors); closing "all but" would close
        # the descriptor placed above.
        kwargs["close_fds"] = False
    if foreground:
        child_steps.append(_take_terminal)
    if child_steps:
        kwargs["preexec_fn"] = lambda: [step() for step in child_steps]
    proc = subprocess.Popen(
        args,
        env=environment,
        cwd=cwd,
        stdin=stdio.stdin,
        stdout=stdio.stdout,
        stderr=stdio.stderr,
        start_new_session=not foreground,
        **kwargs,  # type: ignore[arg-type]
    )
    # The event loop reaps every child. A returncode tells subprocess that it need not:
    # otherwise Popen.__del__ would waitpid() the child and take its exit status from us.
    proc.returncode = 0
    return proc.pid


_sealed = False


def _seal_inherited_descriptors() -> None:
    """Make the descriptors lightbase inherited close-on-exec, once.

    Popen(close_fds=True) closed them in each child; posix_spawn cannot. Descriptors Python
    opens are close-on-exec already (PEP 446), so after this only 0-2 and what a file
    action places reach a child.
    """
    global _sealed
    if _sealed:
        return
    _sealed = True
    try:
        names = os.listdir("/proc/self/fd")
    except OSError:
        return  # no /proc: nothing to learn the descriptors from
    for name in names:
        fd = int(name)
        if fd > 2:
            try:
                os.set_inheritable(fd, False)
            except OSError:
                pass  # the descriptor listdir itself used, closed by now


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
