"""Helpers for the OpenSSH end-to-end test: the API on a loopback HTTP port, a root-owned
script directory sshd accepts, and an sshd with its own config on a free port."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from werkzeug.serving import make_server

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"
SSHD = "/usr/sbin/sshd"


@contextmanager
def serve(app: Flask) -> Iterator[str]:
    """The app on http://127.0.0.1:PORT in a thread, for curl in sshd's helper scripts."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@contextmanager
def root_owned_scripts() -> Iterator[Path]:
    """sshd runs AuthorizedKeysCommand only from a path whose every directory is root-owned
    and not writable by others; /tmp (mode 1777) does not qualify, /run does."""
    base = "/run" if Path("/run").is_dir() else "/var/lib"
    directory = Path(tempfile.mkdtemp(prefix="keyper-e2e-", dir=base))
    try:
        directory.chmod(0o755)
        for script in SCRIPTS.glob("*.sh"):
            target = directory / script.name
            shutil.copyfile(script, target)
            target.chmod(0o755)
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def sshd(config: Path, port: int, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # privilege separation directory
    check = subprocess.run([SSHD, "-t", "-f", str(config)], capture_output=True, text=True)
    if check.returncode != 0:
        raise RuntimeError(f"sshd -t: {check.stderr.strip()}")
    with log.open("wb") as out:
        process = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stderr=out)
    try:
        deadline = time.monotonic() + 15
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"sshd exited with {process.returncode}: {log.read_text()}")
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("sshd did not listen within 15 s")
            time.sleep(0.1)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
