"""Client side of the supervisor's control socket: one JSON request, one JSON reply.

The protocol (served by the supervisor on RUN/control.sock): the client connects, sends
one JSON object followed by a newline, and reads one JSON object followed by a newline.
"""

from __future__ import annotations

import errno
import json
import socket
import time
from pathlib import Path
from typing import Any

from .errors import LightbaseError

# Replies are small (a status of every service); anything far larger is not ours.
MAX_REPLY = 16 * 1024 * 1024


class ControlError(LightbaseError):
    """The supervisor could not be asked, or its answer could not be read."""


def request(socket_path: Path, message: dict[str, Any], timeout: float = 5.0) -> dict[str, Any]:
    """Send `message`, return the reply; ControlError on any failure, naming the socket."""
    deadline = time.monotonic() + timeout
    data = json.dumps(message).encode("utf-8") + b"\n"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        try:
            sock.settimeout(max(timeout, 0.001))
            sock.connect(str(socket_path))
            sock.sendall(data)
            reply = _read_line(sock, deadline)
        except FileNotFoundError:
            raise ControlError(
                f"lightbase is not running (no control socket at {socket_path})"
            ) from None
        except ConnectionRefusedError:  # the file of a lightbase that is gone
            raise ControlError(
                f"lightbase is not running (nothing answers on {socket_path})"
            ) from None
        except TimeoutError:
            raise ControlError(f"no answer from {socket_path} within {timeout:g} s") from None
        except OSError as exc:
            if exc.errno in (errno.ENOTSOCK, errno.ENOENT, errno.ECONNREFUSED):
                raise ControlError(
                    f"lightbase is not running (no control socket at {socket_path})"
                ) from None
            raise ControlError(f"{socket_path}: {exc.strerror or exc}") from None
    if not reply:
        raise ControlError(f"{socket_path}: the connection closed without a reply")
    try:
        answer = json.loads(reply)
    except ValueError:
        raise ControlError(f"{socket_path}: the reply is not JSON: {reply[:80]!r}") from None
    if not isinstance(answer, dict):
        raise ControlError(f"{socket_path}: the reply is not a JSON object: {reply[:80]!r}")
    return answer


def _read_line(sock: socket.socket, deadline: float) -> bytes:
    """Read up to the first newline (or the end of the stream) before `deadline`."""
    chunks: list[bytes] = []
    size = 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        sock.settimeout(remaining)
        chunk = sock.recv(65536)
        if not chunk:
            break
        newline = chunk.find(b"\n")
        if newline >= 0:
            chunks.append(chunk[:newline])
            break
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_REPLY:
            raise OSError(errno.EMSGSIZE, "the reply is too large")
    return b"".join(chunks)
