"""The control socket: one JSON request line in, one JSON reply line out, per connection.

Requests are answered from the event loop, so a status or stop request is served at once even
while services back off. `wait-ready` requests are parked until the services are ready or the
request's timeout is due. The socket is created owner-only (0600) in the run dir.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .loop import EventLoop

MAX_REQUEST = 64 * 1024

Reply = Callable[[dict[str, Any]], None]
Handler = Callable[[dict[str, Any], Reply], None]


class ControlServer:
    def __init__(self, loop: EventLoop, path: Path, handler: Handler) -> None:
        self.loop = loop
        self.path = path
        self.handler = handler
        if path.is_socket() or path.exists():
            path.unlink()  # left over from an earlier run of this container
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old_umask = os.umask(0o177)
        try:
            self.sock.bind(str(path))
        finally:
            os.umask(old_umask)
        self.inode = path.stat().st_ino  # so we only ever remove our own socket
        self.sock.listen(16)
        self.sock.setblocking(False)
        loop.add_reader(self.sock.fileno(), self._accept)
        self._connections: dict[int, _Connection] = {}

    def close(self) -> None:
        self.loop.remove_reader(self.sock.fileno())
        for connection in list(self._connections.values()):
            connection.close()
        self.sock.close()
        try:
            if self.path.stat().st_ino == self.inode:
                self.path.unlink()
        except OSError:
            pass

    def _accept(self) -> None:
        try:
            conn, _ = self.sock.accept()
        except (BlockingIOError, InterruptedError):
            return
        conn.setblocking(False)
        connection = _Connection(self, conn)
        self._connections[conn.fileno()] = connection
        self.loop.add_reader(conn.fileno(), connection.readable)

    def forget(self, fd: int) -> None:
        self._connections.pop(fd, None)


class _Connection:
    def __init__(self, server: ControlServer, sock: socket.socket) -> None:
        self.server = server
        self.sock = sock
        self.fd = sock.fileno()
        self.buffer = b""
        self.closed = False

    def readable(self) -> None:
        try:
            data = self.sock.recv(4096)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self.close()
            return
        self.buffer += data
        if b"\n" not in self.buffer:
            if len(self.buffer) > MAX_REQUEST:
                self.reply({"ok": False, "error": "request too long"})
            return
        line = self.buffer.split(b"\n", 1)[0]
        self.server.loop.remove_reader(self.fd)
        import json  # on the first request, not at boot: most containers never get one

        try:
            request = json.loads(line)
            if not isinstance(request, dict):
                raise ValueError("not an object")
        except ValueError:
            self.reply({"ok": False, "error": "malformed request"})
            return
        self.server.handler(request, self.reply)

    def reply(self, message: dict[str, Any]) -> None:
        if self.closed:
            return
        import json  # a dict lookup once a request was read

        data = json.dumps(message).encode() + b"\n"
        try:
            self.sock.setblocking(True)
            self.sock.settimeout(1.0)  # a client that stops reading must not stall the init
            self.sock.sendall(data)
        except OSError:
            pass
        self.close()

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.server.loop.remove_reader(self.fd)
        self.server.forget(self.fd)
        self.sock.close()
