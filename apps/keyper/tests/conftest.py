"""Shared fixtures: one real slapd and one CA directory per test session, the Flask app."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from keyper.app import create_app
from keyper.config import Settings
from keyper.sshca import CertificateAuthority

from slapd import Slapd, start_slapd

ADMIN_PASSWORD = "a&b/c|d\\e'\" :<x"
TOKEN_SECRET = "test-token-secret-0123456789abcdef"
DOMAIN = "keyper.test"
BASE_DN = "dc=keyper,dc=test"


@pytest.fixture(scope="session")
def slapd_env() -> dict[str, str]:
    return {"LDAP_DOMAIN": DOMAIN, "LDAP_ADMIN_PASSWORD": ADMIN_PASSWORD}


@pytest.fixture(scope="session")
def slapd(tmp_path_factory: pytest.TempPathFactory, slapd_env: dict[str, str]) -> Iterator[Slapd]:
    server = start_slapd(tmp_path_factory.mktemp("slapd"), slapd_env)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def environ(
    slapd: Slapd, slapd_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    ca_dir = tmp_path_factory.mktemp("sshca")
    env = {
        **slapd_env,
        "LDAP_URI": slapd.uri,
        "SSH_CA_DIR": str(ca_dir),
        "KEYPER_TOKEN_SECRET": TOKEN_SECRET,
    }
    CertificateAuthority(Settings.from_environ(env)).ensure()
    return env


@pytest.fixture(scope="session")
def app(environ: dict[str, str]) -> Flask:
    return create_app(environ)


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


_names = itertools.count(1)


@pytest.fixture()
def unique() -> str:
    """A fresh name suffix, so tests sharing the session's slapd do not collide."""
    return f"t{next(_names)}"


def login(client: FlaskClient, username: str, password: str) -> dict[str, str]:
    reply = client.post("/api/login", json={"username": username, "password": password})
    assert reply.status_code == 200, reply.get_json()
    return {"Authorization": f"Bearer {reply.get_json()['token']}"}


@pytest.fixture()
def admin(client: FlaskClient) -> dict[str, str]:
    return login(client, "admin", ADMIN_PASSWORD)


def make_user(
    client: FlaskClient, admin: dict[str, str], name: str, **extra: Any
) -> dict[str, Any]:
    body = {"username": name, "surname": "Tester", "password": "pw-of-" + name, **extra}
    reply = client.post("/api/users", json=body, headers=admin)
    assert reply.status_code == 201, reply.get_json()
    return reply.get_json()  # type: ignore[no-any-return]


def ssh_keypair(directory: Path, name: str = "id") -> tuple[Path, str]:
    import subprocess

    path = directory / name
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(path)], check=True
    )
    return path, Path(f"{path}.pub").read_text(encoding="utf-8").strip()
