"""lightbase.control.request as the tools use it: one JSON line each way, clear failures."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from lightbase.control import ControlError, request


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[Path, list[bytes], list[bytes]]]:
    """A socket that answers each connection with the next canned reply (None: say nothing)."""
    path = tmp_path / "control.sock"
    replies: list[bytes] = []
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen(4)
    received: list[bytes] = []

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                received.append(conn.recv(4096))
                reply = replies.pop(0)
                if reply == b"HANG":
                    conn.recv(1)  # until the client gives up and closes
                    continue
                conn.sendall(reply)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield path, replies, received
    listener.shutdown(socket.SHUT_RDWR)
    listener.close()
    thread.join(timeout=5)


def test_sends_one_json_line_and_returns_the_reply(server) -> None:
    path, replies, received = server
    replies.append(b'{"ok": true, "services": []}\n')
    assert request(path, {"cmd": "status", "names": []}, 5) == {"ok": True, "services": []}
    assert received == [b'{"cmd": "status", "names": []}\n']


def test_missing_socket_says_lightbase_is_not_running(tmp_path: Path) -> None:
    path = tmp_path / "control.sock"
    with pytest.raises(ControlError) as caught:
        request(path, {"cmd": "status"}, 1)
    assert str(caught.value) == f"lightbase is not running (no control socket at {path})"


def test_refused_socket_says_lightbase_is_not_running(tmp_path: Path) -> None:
    path = tmp_path / "control.sock"
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(path))
    stale.close()  # the file stays, nobody listens: a supervisor that died
    with pytest.raises(ControlError) as caught:
        request(path, {"cmd": "status"}, 1)
    assert str(caught.value) == f"lightbase is not running (nothing answers on {path})"


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (b"", "the connection closed without a reply"),
        (b"not json\n", "the reply is not JSON: b'not json'"),
        (b"[1, 2]\n", "the reply is not a JSON object: b'[1, 2]'"),
    ],
)
def test_bad_replies_are_named(server, reply: bytes, message: str) -> None:
    path, replies, _ = server
    replies.append(reply)
    with pytest.raises(ControlError) as caught:
        request(path, {"cmd": "status"}, 5)
    assert str(caught.value) == f"{path}: {message}"


def test_silent_supervisor_times_out(server) -> None:
    path, replies, _ = server
    replies.append(b"HANG")
    with pytest.raises(ControlError) as caught:
        request(path, {"cmd": "status"}, 0.3)
    assert str(caught.value) == f"no answer from {path} within 0.3 s"
