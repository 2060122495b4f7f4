"""A stand-in for lightbase's supervisor on a real control socket, for the tool tests.

It speaks the control-socket contract of the brief (status, up, down, once, restart,
signal, wait-ready) over a real Unix socket, with service states the test sets. The real
supervisor is exercised end to end by the integration tests of the supervisor.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from pathlib import Path
from typing import Any


def service(
    name: str,
    state: str = "up",
    pid: int | None = 100,
    uptime: float = 5.0,
    ready: bool = True,
    want: str = "up",
    restarts: int = 0,
) -> dict[str, Any]:
    return {
        "name": name,
        "state": state,
        "pid": pid,
        "uptime": uptime,
        "restarts": restarts,
        "ready": ready,
        "want": want,
        "last_exit": None,
    }


class FakeSupervisor:
    def __init__(self, socket_path: Path, services: list[dict[str, Any]]) -> None:
        self.path = socket_path
        self.services = {s["name"]: s for s in services}
        self.requests: list[dict[str, Any]] = []
        self.ready_after_up = True  # what `up`/`restart` leave as `ready`
        self._changed = threading.Condition()
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._threads: list[threading.Thread] = []
        self._closing = False

    def __enter__(self) -> FakeSupervisor:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._server.bind(str(self.path))
        self._server.listen(16)
        thread = threading.Thread(target=self._accept, daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def __exit__(self, *exc: object) -> None:
        self._closing = True
        with contextlib.suppress(OSError):
            self._server.shutdown(socket.SHUT_RDWR)
        self._server.close()
        with self._changed:
            self._changed.notify_all()
        for thread in self._threads:
            thread.join(timeout=5)

    def update(self, name: str, **fields: Any) -> None:
        """Change a service as the supervisor would (wakes waiting wait-ready requests)."""
        with self._changed:
            self.services[name].update(fields)
            self._changed.notify_all()

    def later(self, seconds: float, name: str, **fields: Any) -> None:
        timer = threading.Timer(seconds, self.update, (name,), fields)
        timer.daemon = True
        timer.start()

    def commands(self) -> list[tuple[str, ...]]:
        """The requests received other than status/wait-ready, as (cmd, names..., signal)."""
        found = []
        for r in self.requests:
            if r["cmd"] in ("status", "wait-ready"):
                continue
            found.append((r["cmd"], *r.get("names", []), *([r["signal"]] if "signal" in r else [])))
        return found

    def _accept(self) -> None:
        while not self._closing:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            data = b""
            while b"\n" not in data:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                data += chunk
            message = json.loads(data.split(b"\n", 1)[0])
            self.requests.append(message)
            reply = self._handle(message)
            with contextlib.suppress(OSError):
                conn.sendall(json.dumps(reply).encode() + b"\n")

    def _handle(self, message: dict[str, Any]) -> dict[str, Any]:
        cmd = message["cmd"]
        names = message.get("names", [])
        with self._changed:
            unknown = [n for n in names if n not in self.services]
            if unknown and cmd != "status":
                return {"ok": False, "error": f"no such service: {unknown[0]}"}
            if cmd == "status":
                chosen = names or list(self.services)
                return {
                    "ok": True,
                    "phase": "running",
                    "services": [dict(self.services[n]) for n in chosen if n in self.services],
                }
            if cmd == "wait-ready":
                return self._wait_ready(names, float(message["timeout"]))
            for name in names:
                self._apply(cmd, self.services[name], message.get("signal"))
            self._changed.notify_all()
            return {"ok": True}

    def _apply(self, cmd: str, status: dict[str, Any], sig: str | None) -> None:
        if cmd == "down" or cmd == "stop":
            status.update(state="down", pid=None, ready=False, want="down", uptime=0.0)
        elif cmd in ("up", "once") and status["state"] not in ("up", "starting"):
            status.update(
                state="up" if self.ready_after_up else "starting",
                pid=(status["pid"] or 200) + 1,
                ready=self.ready_after_up,
                want=cmd,
                uptime=0.0,
            )
        elif cmd in ("up", "once"):
            status["want"] = cmd
        elif cmd == "restart" or (cmd == "signal" and sig in ("TERM", "KILL")):
            status.update(
                state="up" if self.ready_after_up else "starting",
                pid=(status["pid"] or 200) + 1,
                restarts=status["restarts"] + 1,
                ready=self.ready_after_up,
                uptime=0.0,
            )

    def _wait_ready(self, names: list[str], timeout: float) -> dict[str, Any]:
        def all_ready() -> bool:
            return self._closing or all(self.services[n]["ready"] for n in names)

        if self._changed.wait_for(all_ready, timeout) and not self._closing:
            return {"ok": True}
        pending = [dict(self.services[n]) for n in names if not self.services[n]["ready"]]
        return {"ok": False, "error": "timeout", "services": pending}
