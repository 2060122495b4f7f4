"""The optional parts of cn=config in a real slapd: the sudo schema and the auditlog overlay."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from ldap3 import Connection, Server

from conftest import ADMIN_PASSWORD, BASE_DN, DOMAIN
from slapd import Slapd, start_slapd


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Slapd, Path]]:
    workdir = tmp_path_factory.mktemp("audited")
    auditlog = workdir / "auditlog.ldif"
    env = {
        "LDAP_DOMAIN": DOMAIN,
        "LDAP_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "LDAP_AUDITLOG_FILE": str(auditlog),
    }
    server = start_slapd(workdir, env)
    yield server, auditlog
    server.stop()


def _manager(server: Slapd) -> Connection:
    conn = Connection(Server(server.uri), f"cn=Manager,{BASE_DN}", ADMIN_PASSWORD)
    assert conn.bind()
    return conn


def test_sudo_role_entry_is_accepted_by_the_schema(audited: tuple[Slapd, Path]) -> None:
    server, _ = audited
    conn = _manager(server)
    dn = f"cn=ops-restart,ou=groups,{BASE_DN}"
    attributes = {
        "sudoUser": "%ops",
        "sudoHost": "ALL",
        "sudoCommand": "/usr/bin/systemctl restart nginx",
        "sudoOrder": "10",
    }
    assert conn.add(dn, ["sudoRole"], attributes), conn.result
    conn.search(dn, "(objectClass=sudoRole)", attributes=["sudoCommand"])
    assert [e.sudoCommand.value for e in conn.entries] == ["/usr/bin/systemctl restart nginx"]
    conn.unbind()


def test_auditlog_overlay_records_a_change(audited: tuple[Slapd, Path]) -> None:
    server, auditlog = audited
    conn = _manager(server)
    dn = f"ou=audited,{BASE_DN}"
    assert conn.add(dn, ["organizationalUnit"], {"ou": "audited"}), conn.result
    conn.unbind()
    text = auditlog.read_text(encoding="utf-8")
    assert f"dn: {dn}\nchangetype: add\n" in text
