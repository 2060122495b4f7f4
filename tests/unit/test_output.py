"""Prefixed service output: every line once, whole, with its service's name."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lightbase.supervisor.loop import EventLoop
from lightbase.supervisor.output import MAX_LINE, PrefixedStream, Prefixer


@pytest.fixture
def target(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """The descriptor the streams write to (stdout in real life) and the file behind it."""
    path = tmp_path / "out"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    yield fd, path
    os.close(fd)


def _pump(loop: EventLoop) -> None:
    """Let the loop read whatever is in the pipes now."""
    for _ in range(3):
        loop.call_later(0, lambda: None)
        loop.run_once()


def test_two_writers_with_partial_lines_give_whole_prefixed_lines(
    loop: EventLoop, target: tuple[int, Path]
) -> None:
    fd, path = target
    web = PrefixedStream(loop, "web | ", fd)
    db = PrefixedStream(loop, "db | ", fd)
    try:
        os.write(web.write_fd, b"hel")
        os.write(db.write_fd, b"wor")
        _pump(loop)
        assert path.read_bytes() == b""  # nothing until a line is complete
        os.write(web.write_fd, b"lo\nsec")
        _pump(loop)
        os.write(db.write_fd, b"ld\n")
        _pump(loop)
        os.write(web.write_fd, b"ond line\nthird\nfourth\n")
        _pump(loop)
        assert path.read_bytes() == (
            b"web | hello\ndb | world\nweb | second line\nweb | third\nweb | fourth\n"
        )
    finally:
        web.close()
        db.close()


def test_real_processes_interleaving_partial_lines(
    loop: EventLoop, target: tuple[int, Path], drive: Any
) -> None:
    fd, path = target
    streams = {name: PrefixedStream(loop, f"{name} | ", fd) for name in ("a", "b")}
    script = (
        'for i in 1 2 3 4 5; do printf "$0-$i-"; sleep 0.01; printf "end\\n"; done; printf tail'
    )
    procs = [
        subprocess.Popen(["/bin/sh", "-c", script, name], stdout=streams[name].write_fd)
        for name in streams
    ]
    try:
        for proc in procs:
            loop.watch_child(proc.pid, lambda status, p=proc: setattr(p, "returncode", status))
        drive(loop, lambda: all(p.returncode is not None for p in procs))
        for stream in streams.values():
            stream.flush()
        lines = path.read_text().splitlines()
        for name in streams:
            assert [line for line in lines if line.startswith(f"{name} | ")] == [
                *(f"{name} | {name}-{i}-end" for i in range(1, 6)),
                f"{name} | tail",
            ]
        assert len(lines) == 12
    finally:
        for stream in streams.values():
            stream.close()


def test_flush_writes_an_unterminated_last_line(loop: EventLoop, target: tuple[int, Path]) -> None:
    fd, path = target
    stream = PrefixedStream(loop, "web | ", fd)
    try:
        os.write(stream.write_fd, b"done\nno newline at the end")
        _pump(loop)
        assert path.read_bytes() == b"web | done\n"
        stream.flush()
        assert path.read_bytes() == b"web | done\nweb | no newline at the end\n"
        stream.flush()  # nothing pending: nothing more
        assert path.read_bytes() == b"web | done\nweb | no newline at the end\n"
    finally:
        stream.close()


def test_flush_drains_what_the_loop_has_not_read_yet(
    loop: EventLoop, target: tuple[int, Path]
) -> None:
    fd, path = target
    stream = PrefixedStream(loop, "web | ", fd)
    try:
        os.write(stream.write_fd, b"one\ntwo")
        stream.flush()
        assert path.read_bytes() == b"web | one\nweb | two\n"
    finally:
        stream.close()


def test_a_line_longer_than_the_limit_is_written_without_waiting_for_its_end(
    loop: EventLoop, target: tuple[int, Path]
) -> None:
    fd, path = target
    stream = PrefixedStream(loop, "web | ", fd)
    try:
        os.write(stream.write_fd, b"x" * 40_000)
        _pump(loop)
        assert path.read_bytes() == b""
        os.write(stream.write_fd, b"y" * 30_000)  # now past MAX_LINE, still no newline
        _pump(loop)
        assert MAX_LINE < 70_000
        assert path.read_bytes() == b"web | " + b"x" * 40_000 + b"y" * 30_000 + b"\n"
        os.write(stream.write_fd, b"tail\n")
        _pump(loop)
        assert path.read_bytes().endswith(b"y\nweb | tail\n")
    finally:
        stream.close()


def test_prefixer_gives_a_service_its_stdout_and_stderr_pipes(loop: EventLoop) -> None:
    prefixer = Prefixer(loop, "web")
    try:
        stdio = prefixer.stdio()
        assert (stdio.stdout, stdio.stderr) == (prefixer.out.write_fd, prefixer.err.write_fd)
        assert (prefixer.out.prefix, prefixer.err.prefix) == (b"web | ", b"web | ")
        assert (prefixer.out.target_fd, prefixer.err.target_fd) == (1, 2)
        assert os.get_blocking(stdio.stdout) and os.get_blocking(stdio.stderr)
    finally:
        prefixer.close()
