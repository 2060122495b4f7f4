"""Read what the benchmark needs about processes from /proc, from outside their PID namespace.

Everything here is a plain read of /proc: it costs the measured processes nothing (no signal, no
ptrace, no wake-up), which is why memory, context switches and CPU time are taken this way.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")


@dataclass(frozen=True)
class Memory:
    """Kilobytes, from /proc/PID/smaps_rollup; `uss` = private clean + private dirty."""

    rss_kb: int = 0
    pss_kb: int = 0
    uss_kb: int = 0

    def __add__(self, other: Memory) -> Memory:
        return Memory(
            self.rss_kb + other.rss_kb, self.pss_kb + other.pss_kb, self.uss_kb + other.uss_kb
        )


@dataclass(frozen=True)
class Activity:
    """Context switches (voluntary + involuntary) and CPU time (ns) summed over all threads."""

    switches: int = 0
    cpu_ns: int = 0

    def __add__(self, other: Activity) -> Activity:
        return Activity(self.switches + other.switches, self.cpu_ns + other.cpu_ns)

    def __sub__(self, other: Activity) -> Activity:
        return Activity(self.switches - other.switches, self.cpu_ns - other.cpu_ns)


def _read(path: Path) -> str | None:
    """The text of a /proc file, or None when the process has gone meanwhile."""
    try:
        return path.read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None


def _fields(text: str) -> dict[str, str]:
    result: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            result[key.strip()] = value.strip()
    return result


def pid_namespace(pid: int) -> str | None:
    try:
        return os.readlink(PROC / str(pid) / "ns" / "pid")
    except OSError:
        return None


def all_pids() -> list[int]:
    return [int(entry) for entry in os.listdir(PROC) if entry.isdigit()]


def namespace_pids(namespace: str) -> list[int]:
    """Host PIDs of every process that is a member of the PID namespace `namespace`."""
    return [pid for pid in all_pids() if pid_namespace(pid) == namespace]


def status(pid: int) -> dict[str, str] | None:
    text = _read(PROC / str(pid) / "status")
    return None if text is None else _fields(text)


def parent(pid: int) -> int | None:
    fields = status(pid)
    return None if fields is None else int(fields["PPid"])


def children(pid: int) -> list[int]:
    return [child for child in all_pids() if parent(child) == pid]


def inner_pid(pid: int) -> int | None:
    """The PID a process has inside its own (innermost) namespace: the last NSpid field."""
    fields = status(pid)
    return None if fields is None else int(fields["NSpid"].split()[-1])


def executable(pid: int) -> str | None:
    try:
        return os.readlink(PROC / str(pid) / "exe")
    except OSError:
        return None


def memory(pid: int) -> Memory:
    text = _read(PROC / str(pid) / "smaps_rollup")
    if text is None:
        return Memory()
    fields = {key: int(value.split()[0]) for key, value in _fields(text).items() if value}
    private = fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)
    return Memory(fields.get("Rss", 0), fields.get("Pss", 0), private)


def _thread_activity(task: Path) -> Activity:
    fields = _fields(_read(task / "status") or "")
    switches = int(fields.get("voluntary_ctxt_switches", 0)) + int(
        fields.get("nonvoluntary_ctxt_switches", 0)
    )
    # schedstat's first field is the time on CPU in ns: finer than stat's 10 ms clock ticks.
    schedstat = (_read(task / "schedstat") or "0").split()
    return Activity(switches, int(schedstat[0]))


def activity(pid: int) -> Activity | None:
    """None when the process has gone (its PID may since name another process)."""
    task_dir = PROC / str(pid) / "task"
    try:
        tasks = os.listdir(task_dir)
    except OSError:
        return None
    total = Activity()
    for tid in tasks:
        total = total + _thread_activity(task_dir / tid)
    return total


def total_memory(pids: Iterable[int]) -> Memory:
    total = Memory()
    for pid in pids:
        total = total + memory(pid)
    return total


def activities(pids: Iterable[int]) -> dict[int, Activity]:
    """Activity of each process still there."""
    found = {pid: activity(pid) for pid in pids}
    return {pid: value for pid, value in found.items() if value is not None}
