"""The keyper image in a real engine: built once per session on the test base image, run on
four named volumes with a password full of special characters from a mounted secret file."""

from __future__ import annotations

import os
import ssl
import subprocess
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .helpers import REPO, TEST_VERSION, Container, Engine

KEYPER_TEST_IMAGE = "localhost/lightbase-test-keyper"
# Every character that broke the original's sed templating and shell quoting.
PASSWORD = "a&b/c|d\\e'\"$x`y` !#;*?<>{}[]~%=:,@^"
BASE_DN = "dc=keyper,dc=example,dc=org"
MANAGER_DN = f"cn=Manager,{BASE_DN}"
ADMIN_DN = f"cn=admin,ou=people,{BASE_DN}"
VOLUME_MOUNTS = {
    "config": "/etc/openldap/slapd.d",
    "data": "/var/lib/openldap/openldap-data",
    "sshca": "/etc/sshca",
    "tls": "/etc/keyper/tls",
}
SECRET_IN_CONTAINER = "/run/secrets/ldap-admin-password"
BOOT_TIMEOUT = 120.0


def build_keyper_image(base_image: str) -> str:
    """scripts/keyper build on the session's base image; returns the image reference."""
    build = subprocess.run(
        [str(REPO / "scripts" / "keyper"), "build"],
        env={
            **os.environ,
            "LIGHTBASE_IMAGE": base_image,
            "KEYPER_IMAGE": KEYPER_TEST_IMAGE,
            "VERSION": TEST_VERSION,
        },
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert build.returncode == 0, f"scripts/keyper build failed:\n{build.stdout}\n{build.stderr}"
    return f"{KEYPER_TEST_IMAGE}:{TEST_VERSION}"


@dataclass
class Stack:
    """One keyper deployment: its volumes and secret survive its containers."""

    engine: Engine
    image: str
    secret: Path
    prefix: str = field(default_factory=lambda: f"lightbase-test-keyper-{uuid.uuid4().hex[:8]}")
    containers: list[str] = field(default_factory=list)

    def volume(self, role: str) -> str:
        return f"{self.prefix}-{role}"

    def create_volumes(self) -> None:
        for role in VOLUME_MOUNTS:
            self.engine("volume", "create", self.volume(role))

    def start(self, *options: str, **volumes: str) -> Container:
        """A new container on the stack's volumes (ROLE=VOLUME replaces one) with engine
        OPTIONS, HTTPS published on a free loopback port."""
        name = f"{self.prefix}-{len(self.containers)}"
        mounts = [
            f"-v={volumes.get(role, self.volume(role))}:{path}"
            for role, path in VOLUME_MOUNTS.items()
        ]
        self.containers.append(name)
        self.engine(
            "run", "-d", "--name", name, "--hostname", "keyper-test", *mounts,
            f"-v={self.secret}:{SECRET_IN_CONTAINER}:ro",
            f"-e=LDAP_ADMIN_PASSWORD_FILE={SECRET_IN_CONTAINER}",
            "-p=127.0.0.1::443", *options, self.image,
        )  # fmt: skip
        return Container(self.engine, name)

    def remove(self) -> None:
        for name in self.containers:
            self.engine("rm", "-f", "-t", "0", name, check=False)
        for role in VOLUME_MOUNTS:
            self.engine("volume", "rm", "-f", self.volume(role), check=False)


def stack_fixture(engine: Engine, image: str, tmp: Path) -> Iterator[Stack]:
    secret = tmp / "ldap-admin-password"
    secret.write_text(PASSWORD, encoding="utf-8")  # no newline: ldapsearch -y reads it whole
    secret.chmod(0o644)  # the engine's user namespace may map another UID onto the file
    stack = Stack(engine, image, secret)
    stack.create_volumes()
    try:
        yield stack
    finally:
        stack.remove()


def https_get(container: Container, path: str) -> bytes:
    """GET https://localhost:PORT/PATH through the published port, trusting the stack's CA."""
    port = container.engine("port", container.name, "443/tcp").stdout.strip().rsplit(":", 1)[1]
    ca = container.exec("cat", "/etc/keyper/tls/ca.crt").stdout
    context = ssl.create_default_context(cadata=ca)
    with urllib.request.urlopen(
        f"https://localhost:{port}{path}", context=context, timeout=10
    ) as r:
        body: bytes = r.read()
    return body


def ldapsearch(container: Container, bind_dn: str, *argv: str) -> subprocess.CompletedProcess[str]:
    """ldapsearch over LDAPS inside the container, verifying the server with the stack's CA."""
    return container.exec(
        "env", "LDAPTLS_CACERT=/etc/keyper/tls/ca.crt", "ldapsearch", "-LLL", "-x",
        "-H", "ldaps://localhost:636", "-D", bind_dn, "-y", SECRET_IN_CONTAINER, *argv,
        check=False,
    )  # fmt: skip


def wait_healthy(container: Container) -> None:
    container.wait_healthy(BOOT_TIMEOUT)


def run_log_lines(logs: str) -> list[str]:
    """lightbase's own lines and the startup scripts' (`*** LEVEL | time | message`)."""
    return [line for line in logs.splitlines() if line.startswith("*** ")]
