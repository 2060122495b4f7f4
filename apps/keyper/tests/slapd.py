"""A real slapd for the tests: cn=config built with slapadd from keyper.ldapinit's LDIF in a
temp dir, listening on a free loopback port, run as the current user, stopped afterwards."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from ldap3 import Connection, Server

from keyper.ldapinit import config_ldif, data_ldif

START_TIMEOUT = 20.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Slapd:
    uri: str
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _require(tool: str) -> str:
    path = shutil.which(tool) or (f"/usr/sbin/{tool}" if Path(f"/usr/sbin/{tool}").exists() else "")
    if not path:
        message = f"{tool} not found: install Debian's slapd and ldap-utils packages"
        if os.environ.get("CI"):
            raise RuntimeError(message)  # CI installs them (.ci/run): never skip there
        pytest.skip(message)
    return path


def start_slapd(workdir: Path, environ: Mapping[str, str]) -> Slapd:
    config_dir, data_dir = workdir / "slapd.d", workdir / "data"
    config_dir.mkdir(parents=True)
    data_dir.mkdir()
    env = {**environ, "LDAP_DATA_DIR": str(data_dir)}
    (workdir / "config.ldif").write_text(config_ldif(env), encoding="utf-8")
    (workdir / "data.ldif").write_text(data_ldif(env), encoding="utf-8")
    slapadd = _require("slapadd")
    for db, name in (("0", "config.ldif"), ("1", "data.ldif")):
        subprocess.run(
            [slapadd, "-q", "-n", db, "-F", str(config_dir), "-l", str(workdir / name)],
            check=True,
            capture_output=True,
        )
    port = free_port()
    uri = f"ldap://127.0.0.1:{port}"
    log = (workdir / "slapd.log").open("wb")
    process = subprocess.Popen(
        [_require("slapd"), "-h", f"{uri}/", "-F", str(config_dir), "-d", "0"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = Slapd(uri, process)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"slapd exited with {process.returncode}; see {workdir}/slapd.log")
        try:
            conn = Connection(Server(uri, connect_timeout=1), raise_exceptions=False)
            if conn.open() is None and not conn.closed:
                conn.unbind()
                return server
        except Exception:  # any failure here means: not listening yet
            pass
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"slapd did not answer on {uri} within {START_TIMEOUT} s")
