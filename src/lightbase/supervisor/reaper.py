"""PID 1 duties that touch the whole process tree: becoming a subreaper, signalling everyone."""

from __future__ import annotations

import os

PR_SET_CHILD_SUBREAPER = 36  # linux/prctl.h


def become_subreaper() -> bool:
    """Adopt orphaned descendants as PID 1 would, so they are reaped and stopped by us."""
    import ctypes  # only when not PID 1: keeps the usual import graph small

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def descendants(ancestor: int) -> list[int]:
    """Every live process below `ancestor`, found through /proc parent links."""
    parents: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as stat:
                # The command name may hold spaces and parentheses: parse after the last ')'.
                fields = stat.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        parents[int(entry.name)] = int(fields[1])
    found: list[int] = []
    frontier = {ancestor}
    while frontier:
        children = [pid for pid, parent in parents.items() if parent in frontier]
        found.extend(children)
        frontier = set(children)
    return found


def signal_everyone(signum: int, *, pid1: bool) -> None:
    """As PID 1 of a namespace, kill(-1) reaches every other process in it; otherwise only
    our own descendants are signalled (kill(-1) would reach every process of the user)."""
    if pid1:
        try:
            os.kill(-1, signum)
        except ProcessLookupError:
            pass
        return
    for pid in descendants(os.getpid()):
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass
