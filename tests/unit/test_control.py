"""The control socket: a real Unix socket, the real server on the real loop, the real client.

The client blocks, so it runs in a thread while the test's main thread runs the loop (signal
wakeups only work in the main thread).
"""

from __future__ import annotations

import ctypes
import select
import socket
import stat
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from lightbase.control import ControlError, request
from lightbase.log import Level, Logger
from lightbase.services import Service
from lightbase.supervisor import Supervisor
from lightbase.supervisor.control_server import ControlServer
from lightbase.supervisor.loop import EventLoop
from lightbase.supervisor.runner import Runner

PR_SET_CHILD_SUBREAPER = 36


class Client:
    """One request in a thread; `result` or `error` once it is answered."""

    def __init__(self, path: Path, message: Any, raw: bytes | None = None) -> None:
        self.result: dict[str, Any] | None = None
        self.raw_reply: bytes | None = None
        self.error: Exception | None = None
        target = self._raw if raw is not None else self._request
        self.thread = threading.Thread(target=target, args=(path, raw if raw else message))
        self.thread.start()

    def _request(self, path: Path, message: dict[str, Any]) -> None:
        try:
            self.result = request(path, message, timeout=5.0)
        except Exception as exc:  # handed to the test thread
            self.error = exc

    def _raw(self, path: Path, data: bytes) -> None:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(5.0)
            sock.connect(str(path))
            sock.sendall(data)
            reply = b""
            while not reply.endswith(b"\n"):
                chunk = sock.recv(4096)
                if not chunk:
                    break
                reply += chunk
            self.raw_reply = reply

    def done(self) -> bool:
        return not self.thread.is_alive()


Ask = Callable[..., Client]


def _asker(loop: EventLoop, path: Path, drive: Any) -> Ask:
    def ask(message: Any = None, raw: bytes | None = None) -> Client:
        client = Client(path, message, raw)
        drive(loop, client.done, timeout=10.0)
        client.thread.join()
        return client

    return ask


# --- the server with a plain handler --------------------------------------------------------------


@pytest.fixture
def echo_server(loop: EventLoop, tmp_path: Path) -> Iterator[ControlServer]:
    def handler(message: dict[str, Any], reply: Callable[[dict[str, Any]], None]) -> None:
        reply({"ok": True, "echo": message})

    server = ControlServer(loop, tmp_path / "control.sock", handler)
    yield server
    server.close()


def test_a_request_gets_its_reply(echo_server: ControlServer, loop: EventLoop, drive: Any) -> None:
    ask = _asker(loop, echo_server.path, drive)
    client = ask({"cmd": "status", "names": ["web"]})
    assert client.error is None
    assert client.result == {"ok": True, "echo": {"cmd": "status", "names": ["web"]}}


def test_the_wire_format_is_one_json_line_each_way(
    echo_server: ControlServer, loop: EventLoop, drive: Any
) -> None:
    ask = _asker(loop, echo_server.path, drive)
    client = ask(raw=b'{"cmd": "status"}\n')
    assert client.raw_reply == b'{"ok": true, "echo": {"cmd": "status"}}\n'


def test_a_request_in_pieces_is_answered_once_whole(
    echo_server: ControlServer, loop: EventLoop, drive: Any
) -> None:
    ask = _asker(loop, echo_server.path, drive)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.connect(str(echo_server.path))
        sock.sendall(b'{"cmd": ')
        for _ in range(3):
            loop.call_later(0.01, lambda: None)
            loop.run_once()
        sock.sendall(b'"up"}\n')
        sock.settimeout(5.0)
        drive(loop, lambda: _readable(sock))
        assert sock.recv(4096) == b'{"ok": true, "echo": {"cmd": "up"}}\n'
    assert ask({"cmd": "x"}).result == {"ok": True, "echo": {"cmd": "x"}}


def _readable(sock: socket.socket) -> bool:
    return bool(select.select([sock], [], [], 0)[0])


@pytest.mark.parametrize("line", [b"not json\n", b"[1, 2]\n", b'"status"\n', b"\n"])
def test_a_malformed_request_gets_an_error_reply(
    line: bytes, echo_server: ControlServer, loop: EventLoop, drive: Any
) -> None:
    ask = _asker(loop, echo_server.path, drive)
    assert ask(raw=line).raw_reply == b'{"ok": false, "error": "malformed request"}\n'


def test_the_socket_is_owner_only(echo_server: ControlServer) -> None:
    mode = echo_server.path.stat().st_mode
    assert stat.S_ISSOCK(mode)
    assert stat.S_IMODE(mode) == 0o600


def test_a_stale_socket_from_an_earlier_run_is_replaced(
    loop: EventLoop, tmp_path: Path, drive: Any
) -> None:
    path = tmp_path / "control.sock"
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(path))
    stale.close()  # the file stays, nobody listens
    server = ControlServer(loop, path, lambda message, reply: reply({"ok": True}))
    try:
        assert _asker(loop, path, drive)({"cmd": "status"}).result == {"ok": True}
    finally:
        server.close()
    assert not path.exists()


def test_request_without_a_socket_says_lightbase_is_not_running(tmp_path: Path) -> None:
    path = tmp_path / "control.sock"
    with pytest.raises(ControlError) as caught:
        request(path, {"cmd": "status"})
    assert str(caught.value) == f"lightbase is not running (no control socket at {path})"
    assert caught.value.exit_code == 1


def test_request_to_a_dead_socket_says_lightbase_is_not_running(tmp_path: Path) -> None:
    path = tmp_path / "control.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as dead:
        dead.bind(str(path))
    with pytest.raises(ControlError) as caught:
        request(path, {"cmd": "status"})
    assert str(caught.value) == f"lightbase is not running (nothing answers on {path})"


def test_request_times_out_when_nobody_answers(tmp_path: Path) -> None:
    path = tmp_path / "control.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as silent:
        silent.bind(str(path))
        silent.listen(1)
        with pytest.raises(ControlError) as caught:
            request(path, {"cmd": "status"}, timeout=0.2)
    assert str(caught.value) == f"no answer from {path} within 0.2 s"


# --- the supervisor's answers ----------------------------------------------------------------


@pytest.fixture
def supervisor(restore_signals: None, tmp_path: Path) -> Iterator[Supervisor]:
    sup = Supervisor(Logger(Level.NONE))
    sup.serve_control(tmp_path / "control.sock")
    yield sup
    sup.finish()
    sup.loop.close()
    # Supervisor made the test process a subreaper; undo that for the tests that follow.
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)


@pytest.fixture
def ask_supervisor(supervisor: Supervisor, tmp_path: Path, drive: Any) -> Ask:
    return _asker(supervisor.loop, tmp_path / "control.sock", drive)


def _add_service(supervisor: Supervisor, tmp_path: Path, name: str) -> Runner:
    runner = Runner(Service(name=name, directory=tmp_path), supervisor, argv=["/bin/true"])
    supervisor.runners[name] = runner
    return runner


def test_status_during_startup_with_no_services(ask_supervisor: Ask) -> None:
    assert ask_supervisor({"cmd": "status", "names": []}).result == {
        "ok": True,
        "phase": "startup",
        "services": [],
    }


def test_status_names_each_service(
    supervisor: Supervisor, ask_supervisor: Ask, tmp_path: Path
) -> None:
    _add_service(supervisor, tmp_path, "web")
    _add_service(supervisor, tmp_path, "db")
    result = ask_supervisor({"cmd": "status", "names": ["db"]}).result
    assert result is not None
    (db,) = result["services"]
    assert db == {
        "name": "db",
        "state": "down",
        "pid": None,
        "uptime": db["uptime"],
        "restarts": 0,
        "ready": False,
        "want": "up",  # during startup: what it will get when supervision starts
        "critical": False,
        "last_exit": None,
    }
    assert isinstance(db["uptime"], float) and db["uptime"] >= 0
    everything = ask_supervisor({"cmd": "status"}).result
    assert everything is not None
    assert [s["name"] for s in everything["services"]] == ["web", "db"]


def test_an_unknown_command_is_refused(ask_supervisor: Ask) -> None:
    assert ask_supervisor({"cmd": "frobnicate", "names": []}).result == {
        "ok": False,
        "error": "unknown command 'frobnicate'",
    }


def test_an_unknown_service_is_refused(
    supervisor: Supervisor, ask_supervisor: Ask, tmp_path: Path
) -> None:
    _add_service(supervisor, tmp_path, "web")
    assert ask_supervisor({"cmd": "down", "names": ["web", "nope"]}).result == {
        "ok": False,
        "error": "no such service: nope",
    }


def test_names_must_be_a_list_of_strings(ask_supervisor: Ask) -> None:
    assert ask_supervisor({"cmd": "status", "names": "web"}).result == {
        "ok": False,
        "error": "names must be a list of service names",
    }


def test_down_is_done_and_acknowledged(
    supervisor: Supervisor, ask_supervisor: Ask, tmp_path: Path
) -> None:
    runner = _add_service(supervisor, tmp_path, "web")
    assert ask_supervisor({"cmd": "down", "names": ["web"]}).result == {"ok": True}
    assert runner.want.value == "down"


def test_a_bad_signal_is_refused(
    supervisor: Supervisor, ask_supervisor: Ask, tmp_path: Path
) -> None:
    _add_service(supervisor, tmp_path, "web")
    reply = ask_supervisor({"cmd": "signal", "names": ["web"], "signal": "NOPE"}).result
    assert reply == {"ok": False, "error": "no such signal: 'NOPE'"}


def test_wait_ready_with_a_bad_timeout_is_refused(ask_supervisor: Ask) -> None:
    reply = ask_supervisor({"cmd": "wait-ready", "names": [], "timeout": "soon"}).result
    assert reply == {"ok": False, "error": "timeout must be a number of seconds"}


def test_wait_ready_times_out_with_the_services_not_ready(
    supervisor: Supervisor, ask_supervisor: Ask, tmp_path: Path
) -> None:
    _add_service(supervisor, tmp_path, "web")
    reply = ask_supervisor({"cmd": "wait-ready", "names": ["web"], "timeout": 0.1}).result
    assert reply is not None
    assert (reply["ok"], reply["error"]) == (False, "timeout")
    assert [(s["name"], s["state"]) for s in reply["services"]] == [("web", "down")]
