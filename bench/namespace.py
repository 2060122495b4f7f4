"""One system under test, running as PID 1 of a fresh PID namespace, watched from outside.

`unshare --pid --fork --mount-proc ARGV` forks ARGV as PID 1 of a new namespace; the harness
stays outside, finds that process's host PID, and waits for it through a pidfd, which becomes
readable only once PID 1 has exited and the kernel has torn the namespace down (every other
member killed and reaped): exactly "the container is gone".
"""

from __future__ import annotations

import os
import select
import shutil
import signal
import subprocess
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from . import procfs

CLEAN_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def service_executables() -> frozenset[str]:
    """Programs the benchmark services run: any process running one of them is not a supervisor."""
    names = ("sh", "sleep", "env", "grep")
    return frozenset(os.path.realpath(p) for n in names if (p := shutil.which(n, path=CLEAN_PATH)))


class Instance:
    """A running PID namespace; use as a context manager so it is always torn down."""

    def __init__(self, argv: Sequence[str], log: Path, extra_env: dict[str, str] | None = None):
        self.argv = list(argv)
        self.log_path = log
        self.env = {"PATH": CLEAN_PATH, "HOME": "/root", "LANG": "C.UTF-8", **(extra_env or {})}
        self._process: subprocess.Popen[bytes] | None = None
        self._init: int | None = None
        self._pidfd: int | None = None
        self.started_ns = 0

    def start(self) -> int:
        """Launch; returns the monotonic time (ns) taken just before the launch."""
        log = self.log_path.open("wb")
        self.started_ns = time.monotonic_ns()
        self._process = subprocess.Popen(
            ["unshare", "--pid", "--fork", "--mount-proc", "--", *self.argv],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=self.env,
        )
        log.close()
        return self.started_ns

    def __enter__(self) -> Instance:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def init_pid(self) -> int:
        """Host PID of the namespace's PID 1 (found on first use, after the launch)."""
        if self._init is None:
            assert self._process is not None, "not started"
            end = time.monotonic() + 10
            while time.monotonic() < end:
                found = procfs.children(self._process.pid)
                if found:
                    self._init = found[0]
                    self._pidfd = os.pidfd_open(self._init)
                    return self._init
                if self._process.poll() is not None:
                    break
                time.sleep(0.002)
            raise RuntimeError(f"{self.argv[0]}: PID 1 did not appear; see {self.log_path}")
        return self._init

    def pids(self) -> list[int]:
        namespace = procfs.pid_namespace(self.init_pid)
        return [] if namespace is None else procfs.namespace_pids(namespace)

    def supervision_pids(self, services: Iterable[str] = service_executables()) -> list[int]:
        """Members of the namespace that are not running a benchmark service's program."""
        excluded = set(services)
        return [
            pid
            for pid in self.pids()
            if (exe := procfs.executable(pid)) is not None and os.path.realpath(exe) not in excluded
        ]

    def host_pid(self, inner: int) -> int | None:
        """The host PID of the member whose PID inside the namespace is `inner`."""
        for pid in self.pids():
            if procfs.inner_pid(pid) == inner:
                return pid
        return None

    def alive(self) -> bool:
        self.init_pid  # noqa: B018 - resolves the pidfd
        assert self._pidfd is not None
        return not select.select([self._pidfd], [], [], 0)[0]

    def wait_gone(self, timeout_s: float) -> bool:
        """Wait for PID 1 (and so the namespace) to be gone; False at timeout."""
        self.init_pid  # noqa: B018
        assert self._pidfd is not None
        return bool(select.select([self._pidfd], [], [], timeout_s)[0])

    @property
    def pidfd(self) -> int:
        """A pidfd of PID 1: readable once the namespace is gone."""
        self.init_pid  # noqa: B018 - resolves the pidfd
        assert self._pidfd is not None
        return self._pidfd

    def signal(self, sig: signal.Signals) -> int:
        """Send `sig` to PID 1; returns the monotonic time (ns) just before sending."""
        pid = self.init_pid
        now = time.monotonic_ns()
        os.kill(pid, sig)
        return now

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def close(self) -> None:
        """SIGKILL PID 1 if it is still there (the kernel then kills every member) and reap."""
        if self._process is None:
            return
        if self._init is not None and self.alive():
            os.kill(self._init, signal.SIGKILL)
            self.wait_gone(10)
        elif self._init is None and self._process.poll() is None:
            try:
                self.init_pid  # noqa: B018
                os.kill(self.init_pid, signal.SIGKILL)
                self.wait_gone(10)
            except RuntimeError:
                self._process.kill()
        try:
            self._process.wait(10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        if self._pidfd is not None:
            os.close(self._pidfd)
            self._pidfd = None
        self._process = None
