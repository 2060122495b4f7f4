"""Client side of the supervisor's control socket (`lightbase sv`, `lightbase health`, tools).

Protocol: connect to `run/control.sock`, send one JSON object and a newline, read one JSON
object and a newline. See `supervisor/control_server.py` for the server.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

from .errors import LightbaseError


class ControlError(LightbaseError):
    """The supervisor could not be reached or did not answer."""


def request(socket_path: Path, message: dict[str, Any], timeout: float = 5.0) -> dict[str, Any]:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        try:
            sock.connect(str(socket_path))
        except (FileNotFoundError, ConnectionRefusedError):
            raise ControlError(
                f"lightbase is not running (no control socket at {socket_path})"
            ) from None
        except PermissionError:
            raise ControlError(f"permission denied on {socket_path} (run as its owner)") from None
        sock.sendall(json.dumps(message).encode() + b"\n")
        data = b""
        while not data.endswith(b"\n"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    except TimeoutError:
        raise ControlError(f"no answer from lightbase within {timeout:g} s") from None
    except OSError as exc:
        raise ControlError(f"control socket {socket_path}: {exc.strerror or exc}") from None
    finally:
        sock.close()
    try:
        reply = json.loads(data)
    except ValueError:
        raise ControlError("malformed answer from lightbase") from None
    if not isinstance(reply, dict):
        raise ControlError("malformed answer from lightbase")
    return reply
