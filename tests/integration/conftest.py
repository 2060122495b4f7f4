"""Run the real `lightbase run` as PID 1 of a fresh PID namespace and look at it from outside.

`unshare --pid --fork --mount-proc` (root only) gives the cheapest faithful container: signals
to PID 1, orphan reaping and kill(-1) behave as they do in Docker or Kubernetes.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

LIGHTBASE = str(Path(sys.executable).with_name("lightbase"))
CAN_UNSHARE = os.geteuid() == 0 and shutil.which("unshare") is not None


def wait_until(
    predicate: Callable[[], object],
    timeout: float = 10.0,
    what: str | Callable[[], str] = "",
) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            detail = what() if callable(what) else what
            raise AssertionError(f"timed out after {timeout} s waiting for {detail or predicate}")
        time.sleep(0.02)


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def descendants(pid: int) -> list[int]:
    result, frontier = [], [pid]
    while frontier:
        nxt = [c for p in frontier for c in children(p)]
        result += nxt
        frontier = nxt
    return result


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return ""


def proc_state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return ""


class Container:
    """A container tree in a temp dir, and the lightbase that runs it."""

    def __init__(self, tmp_path: Path) -> None:
        self.root = tmp_path / "container"
        (self.root / "service").mkdir(parents=True)
        (self.root / "environment").mkdir()
        self.marks = tmp_path / "marks"  # where test services leave evidence
        self.marks.mkdir()
        self.stdout_path = tmp_path / "stdout.log"
        self.stderr_path = tmp_path / "stderr.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.started_at = 0.0

    # --- building the tree ---------------------------------------------------------------

    def service(
        self,
        name: str,
        process: str | None = None,
        *,
        startup: str | None = None,
        finish: str | None = None,
        config: dict[str, object] | None = None,
    ) -> Path:
        directory = self.root / "service" / name
        directory.mkdir()
        for script, body in (
            ("process.sh", process),
            ("startup.sh", startup),
            ("finish.sh", finish),
        ):
            if body is not None:
                path = directory / script
                path.write_text("#!/bin/sh\n" + textwrap.dedent(body).lstrip())
                path.chmod(0o755)
        if config is not None:
            (directory / "service.yaml").write_text(yaml.safe_dump(config))
        return directory

    def env_file(self, relative: str, text: str) -> None:
        path = self.root / "environment" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))

    # --- running -------------------------------------------------------------------------

    def start(self, *args: str, env: dict[str, str] | None = None, pid1: bool = True) -> Container:
        command = [LIGHTBASE, "run", "--root", str(self.root), "--dont-touch-etc-hosts", *args]
        if pid1:
            command = ["unshare", "--pid", "--fork", "--mount-proc", *command]
        environment = {
            "PATH": os.environ["PATH"],
            "MARKS": str(self.marks),
            **(env or {}),
        }
        self.started_at = time.monotonic()
        self.proc = subprocess.Popen(
            command,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=self.stdout_path.open("wb"),
            stderr=self.stderr_path.open("wb"),
        )
        self.pid1 = pid1
        if pid1:
            wait_until(lambda: children(self.proc.pid), 5, "unshare to fork lightbase")
        return self

    @property
    def pid(self) -> int:
        """lightbase's pid as seen from here (the host's PID namespace)."""
        assert self.proc is not None
        if not self.pid1:
            return self.proc.pid
        return children(self.proc.pid)[0]

    def kill(self, signum: int) -> None:
        os.kill(self.pid, signum)

    def wait(self, timeout: float = 15.0) -> int:
        assert self.proc is not None
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise AssertionError(f"lightbase still running after {timeout} s\n{self.log}") from None

    def stop(self, timeout: float = 15.0) -> int:
        self.kill(signal.SIGTERM)
        return self.wait(timeout)

    @property
    def log(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    @property
    def output(self) -> str:
        return self.stdout_path.read_text(errors="replace")

    def wait_for_log(self, text: str, timeout: float = 10.0) -> None:
        wait_until(lambda: text in self.log, timeout, lambda: f"{text!r} in the log\n{self.log}")

    def mark(self, name: str) -> Path:
        return self.marks / name

    def wait_for_mark(self, name: str, timeout: float = 10.0) -> str:
        path = self.mark(name)

        def written() -> bool:  # a shell redirection creates the file before writing to it
            return path.exists() and path.read_text().endswith("\n")

        wait_until(written, timeout, lambda: f"mark {name}\n{self.log}")
        return path.read_text()

    def sv(self, *args: str, timeout: float = 15.0) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [LIGHTBASE, "sv", "--root", str(self.root), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def status(self) -> dict[str, dict[str, object]]:
        result = self.sv("status", "--json")
        assert result.returncode == 0, result.stdout + result.stderr
        return {s["name"]: s for s in json.loads(result.stdout)["services"]}

    def wait_for_state(self, name: str, state: str, timeout: float = 10.0) -> dict[str, object]:
        found: dict[str, object] = {}

        def reached() -> bool:
            if not (self.root / "run" / "control.sock").exists():
                return False
            found.update(self.status()[name])
            return found["state"] == state

        wait_until(reached, timeout, lambda: f"{name} to be {state} (last: {found})\n{self.log}")
        return found

    def processes(self) -> list[tuple[int, str]]:
        """(host pid, command line) of everything below lightbase."""
        return [(p, cmdline(p)) for p in descendants(self.pid)]

    def cleanup(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            try:  # killing PID 1 of the namespace takes everything in it along
                os.kill(self.pid, signal.SIGKILL)
            except (ProcessLookupError, IndexError):
                pass
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def container():
    if not CAN_UNSHARE:
        pytest.skip("needs root and unshare(1) to run lightbase as PID 1 of a PID namespace")
    # Not pytest's tmp_path: its parents are root-only, and services that run as another
    # user must be able to reach their directory.
    top = Path(tempfile.mkdtemp(prefix="lightbase-it-"))
    top.chmod(0o755)
    box = Container(top)
    yield box
    box.cleanup()
    shutil.rmtree(top, ignore_errors=True)
