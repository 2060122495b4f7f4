"""The LDIF generator loaded into a real slapd, and the public CA endpoints."""

from __future__ import annotations

import subprocess
from pathlib import Path

from flask.testing import FlaskClient
from ldap3 import Connection, Server

from conftest import ADMIN_PASSWORD, BASE_DN
from slapd import Slapd


def test_admin_binds_with_every_special_character_in_password(slapd: Slapd) -> None:
    conn = Connection(
        Server(slapd.uri), f"cn=admin,ou=people,{BASE_DN}", ADMIN_PASSWORD, raise_exceptions=False
    )
    assert conn.bind() is True
    conn.unbind()


def test_root_dn_binds_and_sees_the_bootstrap_tree(slapd: Slapd) -> None:
    conn = Connection(Server(slapd.uri), f"cn=Manager,{BASE_DN}", ADMIN_PASSWORD)
    assert conn.bind()
    conn.search(BASE_DN, "(|(objectClass=organizationalUnit)(objectClass=groupOfNames))")
    names = sorted(e.entry_dn for e in conn.entries)
    conn.unbind()
    assert {
        f"ou=people,{BASE_DN}",
        f"ou=Hosts,{BASE_DN}",
        f"ou=groups,{BASE_DN}",
        f"ou=policies,{BASE_DN}",
        f"cn=KeyperAdmins,ou=groups,{BASE_DN}",
        f"cn=AllHosts,ou=groups,{BASE_DN}",
    } <= set(names)


def test_anonymous_bind_is_refused(slapd: Slapd) -> None:
    conn = Connection(Server(slapd.uri), raise_exceptions=False)
    conn.bind()
    assert conn.search(BASE_DN, "(objectClass=*)") is False


def test_health_reports_ldap_and_ca_ok(client: FlaskClient) -> None:
    reply = client.get("/api/health")
    assert reply.status_code == 200
    assert reply.get_json() == {"status": "ok", "ldap": "ok", "ca": "ok"}


def test_userca_and_hostca_serve_distinct_public_keys(client: FlaskClient, environ: dict) -> None:
    user_ca = client.get("/api/userca")
    host_ca = client.get("/api/hostca")
    ca_dir = Path(environ["SSH_CA_DIR"])
    assert user_ca.status_code == 200 and user_ca.mimetype == "text/plain"
    assert user_ca.get_data(as_text=True) == (ca_dir / "ca_user_key.pub").read_text()
    assert host_ca.get_data(as_text=True) == (ca_dir / "ca_host_key.pub").read_text()
    assert user_ca.get_data() != host_ca.get_data()
    assert user_ca.get_data(as_text=True).startswith("ssh-ed25519 ")


def test_krl_is_a_file_ssh_keygen_reads(client: FlaskClient, tmp_path: Path) -> None:
    reply = client.get("/api/krl")
    assert reply.status_code == 200
    krl = tmp_path / "krl"
    krl.write_bytes(reply.get_data())
    listing = subprocess.run(
        ["ssh-keygen", "-Q", "-l", "-f", str(krl)], capture_output=True, text=True, check=True
    )
    assert "# KRL version" in listing.stdout


def test_private_ca_keys_are_owner_only(environ: dict) -> None:
    ca_dir = Path(environ["SSH_CA_DIR"])
    for name in ("ca_user_key", "ca_host_key"):
        assert (ca_dir / name).stat().st_mode & 0o777 == 0o600


def test_health_is_503_when_ldap_is_unreachable(environ: dict) -> None:
    from keyper.app import create_app

    from slapd import free_port

    app = create_app({**environ, "LDAP_URI": f"ldap://127.0.0.1:{free_port()}"})
    reply = app.test_client().get("/api/health")
    assert reply.status_code == 503
    assert reply.get_json()["ldap"].startswith("LDAP server ldap://127.0.0.1:")
