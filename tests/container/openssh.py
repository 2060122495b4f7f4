"""OpenSSH on the host's loopback for the keyper end-to-end test: a root-owned directory sshd
accepts commands from, an sshd with its own config on a free port, and a batch-mode client.

Adapted from apps/keyper/tests/e2e.py, which serves the API in-process; this one stays free of
Flask so that it runs in the project's own test environment."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SSHD = Path("/usr/sbin/sshd")
LISTEN_TIMEOUT = 15.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def root_owned_dir() -> Iterator[Path]:
    """sshd runs AuthorizedKeysCommand only from a path whose every directory is root-owned and
    not writable by others: /tmp (mode 1777) does not qualify, /run does. The helpers run as
    `nobody`, so the directory and what it holds must also be readable by everyone."""
    base = "/run" if Path("/run").is_dir() else "/var/lib"
    directory = Path(tempfile.mkdtemp(prefix="keyper-container-e2e-", dir=base))
    try:
        directory.chmod(0o755)
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def keypair(directory: Path, name: str) -> tuple[Path, str]:
    """A new ed25519 key without passphrase: its private key file and its public key line."""
    path = directory / name
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(path)], check=True
    )
    return path, Path(f"{path}.pub").read_text(encoding="utf-8").strip()


@contextmanager
def sshd(config: Path, port: int, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`sshd -D -e -f CONFIG`, its log in LOG, once it listens on 127.0.0.1:PORT."""
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # privilege separation directory
    check = subprocess.run([SSHD, "-t", "-f", str(config)], capture_output=True, text=True)
    if check.returncode != 0:
        raise AssertionError(f"sshd -t -f {config}: {check.stderr.strip()}")
    with log.open("wb") as out:
        process = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stderr=out)
    try:
        deadline = time.monotonic() + LISTEN_TIMEOUT
        while True:
            if process.poll() is not None:
                raise AssertionError(f"sshd exited with {process.returncode}: {log.read_text()}")
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if time.monotonic() > deadline:
                raise AssertionError(f"sshd did not listen within {LISTEN_TIMEOUT:g} s")
            time.sleep(0.1)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def ssh(user: str, key: Path, port: int, known_hosts: Path) -> subprocess.CompletedProcess[str]:
    """`ssh USER@127.0.0.1 echo logged-in` with KEY only (and KEY-cert.pub when it exists),
    trusting only KNOWN_HOSTS, never asking anything."""
    return subprocess.run(
        [
            "ssh", "-F", "/dev/null", "-p", str(port), "-i", str(key),
            "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
            "-o", "StrictHostKeyChecking=yes", "-o", f"UserKnownHostsFile={known_hosts}",
            "-o", "GlobalKnownHostsFile=/dev/null", "-o", "ConnectTimeout=10",
            f"{user}@127.0.0.1", "echo", "logged-in",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )  # fmt: skip


def krl_query(krl: Path, *public_keys: Path) -> list[str]:
    """`ssh-keygen -Q -f KRL KEY...`: one `FILE (COMMENT): REVOKED` or `...: ok` line a key."""
    result = subprocess.run(
        ["ssh-keygen", "-Q", "-f", str(krl), *map(str, public_keys)],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.splitlines()
