"""spawn(): what a started process gets (session, stdin, directory, signals, descriptors) and how
a failed start reads, on the posix_spawn path and on the subprocess fallback. Real processes."""

from __future__ import annotations

import gc
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from lightbase.supervisor import spawn as spawn_module
from lightbase.supervisor.spawn import SpawnError, Stdio, spawn

ENV = {"PATH": "/usr/bin:/bin"}


def wait_code(pid: int) -> int:
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


@pytest.fixture
def sleeper() -> Iterator[list[int]]:
    """pids to kill and reap after the test."""
    pids: list[int] = []
    yield pids
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)


def status_mask(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1], 16)
    raise AssertionError(f"no {field} in /proc/{pid}/status")


def open_files(pid: int) -> set[str]:
    """What the process's descriptors point to (one it closes meanwhile is left out)."""
    found = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            found.add(os.readlink(f"/proc/{pid}/fd/{fd}"))
        except FileNotFoundError:
            pass
    return found


def test_child_has_its_own_session_and_dev_null_as_stdin(sleeper: list[int]) -> None:
    pid = spawn(["/bin/sleep", "30"], ENV).pid
    sleeper.append(pid)
    assert os.getsid(pid) == pid
    assert os.getpgid(pid) == pid
    assert os.readlink(f"/proc/{pid}/fd/0") == "/dev/null"


def test_child_runs_in_the_given_directory_and_ours_is_unchanged(
    tmp_path: Path, sleeper: list[int]
) -> None:
    before = os.getcwd()
    pid = spawn(["/bin/sleep", "30"], ENV, cwd=tmp_path).pid
    sleeper.append(pid)
    assert os.readlink(f"/proc/{pid}/cwd") == str(tmp_path)
    assert os.getcwd() == before


def test_child_gets_stdout_and_stderr_descriptors(tmp_path: Path) -> None:
    out = os.open(tmp_path / "out", os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o600)
    err = os.open(tmp_path / "err", os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        pid = spawn(
            ["/bin/sh", "-c", "echo to-out; echo to-err >&2"],
            ENV,
            stdio=Stdio(stdout=out, stderr=err),
        ).pid
        assert wait_code(pid) == 0
    finally:
        os.close(out)
        os.close(err)
    assert (tmp_path / "out").read_text() == "to-out\n"
    assert (tmp_path / "err").read_text() == "to-err\n"


def test_child_has_default_dispositions_and_no_blocked_signal(sleeper: list[int]) -> None:
    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR1])
    try:
        assert signal.getsignal(signal.SIGPIPE) == signal.SIG_IGN  # Python's own setting
        pid = spawn(["/bin/sleep", "30"], ENV).pid
        sleeper.append(pid)
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGUSR1])
        signal.signal(signal.SIGHUP, previous)
    ignored = status_mask(pid, "SigIgn")
    for signum in (signal.SIGPIPE, signal.SIGXFSZ, signal.SIGHUP):
        assert not ignored & (1 << (signum - 1)), signal.Signals(signum).name
    assert status_mask(pid, "SigBlk") == 0


def test_descriptor_lightbase_inherited_does_not_reach_a_child(
    monkeypatch: pytest.MonkeyPatch, sleeper: list[int]
) -> None:
    read_fd, write_fd = os.pipe()
    os.set_inheritable(write_fd, True)  # as a descriptor handed to lightbase at start would be
    monkeypatch.setattr(spawn_module, "_sealed", False)  # a fresh process looks once
    try:
        pid = spawn(["/bin/sleep", "30"], ENV).pid
        sleeper.append(pid)
        assert f"pipe:[{os.fstat(write_fd).st_ino}]" not in open_files(pid)
    finally:
        os.close(read_fd)
        os.close(write_fd)


def test_notify_fd_appears_as_the_asked_number() -> None:
    read_fd, write_fd = os.pipe2(os.O_CLOEXEC)
    try:
        pid = spawn(["/bin/sh", "-c", "echo ready >&7"], ENV, notify_fd=(write_fd, 7)).pid
        os.close(write_fd)
        assert wait_code(pid) == 0
        assert os.read(read_fd, 100) == b"ready\n"
    finally:
        os.close(read_fd)


def test_missing_program_is_a_spawn_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(SpawnError) as caught:
        spawn([tmp_path / "process.sh"], ENV)
    assert str(caught.value) == f"cannot execute {tmp_path}/process.sh: No such file or directory"
    assert caught.value.exit_code == 127  # the shell's "command not found"


def test_program_that_is_not_executable_is_a_spawn_error(tmp_path: Path) -> None:
    script = tmp_path / "process.sh"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o644)
    with pytest.raises(SpawnError) as caught:
        spawn([script], ENV)
    assert str(caught.value) == f"cannot execute {script}: Permission denied"
    assert caught.value.exit_code == 126  # the shell's "cannot execute"


def test_missing_directory_is_a_spawn_error_and_ours_is_unchanged(tmp_path: Path) -> None:
    before = os.getcwd()
    with pytest.raises(SpawnError) as caught:
        spawn(["/bin/true"], ENV, cwd=tmp_path / "gone")
    assert str(caught.value) == "cannot execute /bin/true: No such file or directory"
    assert os.getcwd() == before


def test_bare_program_name_is_looked_up_on_the_child_path(tmp_path: Path) -> None:
    program = tmp_path / "only-here"
    program.write_text("#!/bin/sh\nexit 3\n")
    program.chmod(0o755)
    pid = spawn(["only-here"], {"PATH": str(tmp_path)}).pid
    gc.collect()  # subprocess must not have waited for it (its exit status is ours)
    assert wait_code(pid) == 3
