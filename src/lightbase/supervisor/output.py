"""Prefix each line a service writes with its name, never splitting or merging lines.

Each prefixed service gets a pipe for stdout and one for stderr for its whole life (restarts
reuse them). The loop reads whatever is there, keeps a partial last line until its newline
arrives, and writes every complete line with one write call, so lines from different services
never interleave mid-line.
"""

from __future__ import annotations

import os
import select

from .loop import EventLoop
from .spawn import Stdio

MAX_LINE = 64 * 1024  # a "line" longer than this is written out in pieces


class PrefixedStream:
    def __init__(self, loop: EventLoop, prefix: str, target_fd: int) -> None:
        self.loop = loop
        self.prefix = prefix.encode()
        self.target_fd = target_fd
        self.read_fd, self.write_fd = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        # The child's end must block: a writer expects blocking stdout.
        os.set_blocking(self.write_fd, True)
        self._pending = b""
        loop.add_reader(self.read_fd, self._readable)

    def _readable(self) -> None:
        try:
            data = os.read(self.read_fd, 65536)
        except BlockingIOError:
            return
        if not data:
            return
        data = self._pending + data
        lines = data.split(b"\n")
        self._pending = lines.pop()
        if len(self._pending) >= MAX_LINE:
            lines.append(self._pending)
            self._pending = b""
        if lines:
            self._write(b"".join(self.prefix + line + b"\n" for line in lines))

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            try:
                written = os.write(self.target_fd, view)
            except BlockingIOError:
                # Someone made our stdout non-blocking and it is full: wait for room (bounded)
                # instead of spinning.
                select.select([], [self.target_fd], [], 1.0)
                continue
            except OSError:
                return  # nowhere to write: drop rather than take the init down
            view = view[written:]

    def flush(self) -> None:
        """Drain what is readable now and write a last unterminated line (at shutdown)."""
        self._readable()
        if self._pending:
            self._write(self.prefix + self._pending + b"\n")
            self._pending = b""

    def close(self) -> None:
        self.loop.remove_reader(self.read_fd)
        os.close(self.read_fd)
        os.close(self.write_fd)


class Prefixer:
    """The stdout/stderr pair of one service."""

    def __init__(self, loop: EventLoop, name: str) -> None:
        prefix = f"{name} | "
        self.out = PrefixedStream(loop, prefix, 1)
        self.err = PrefixedStream(loop, prefix, 2)

    def stdio(self) -> Stdio:
        return Stdio(stdout=self.out.write_fd, stderr=self.err.write_fd)

    def flush(self) -> None:
        self.out.flush()
        self.err.flush()

    def close(self) -> None:
        self.out.close()
        self.err.close()
