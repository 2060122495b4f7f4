"""End to end with real OpenSSH on loopback: keys and certificates managed through the API,
an sshd using the helper scripts, TrustedUserCAKeys and RevokedKeys from the API, and a client
trusting the host CA with @cert-authority."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from conftest import login, make_user, ssh_keypair
from e2e import SSHD, free_port, root_owned_scripts, serve, sshd

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(os.geteuid() != 0, reason="sshd with AuthorizedKeysCommand needs root"),
    pytest.mark.skipif(not Path(SSHD).exists(), reason="openssh-server is not installed"),
]
HOST = "e2e-host"
USER = "root"  # the account sshd logs in to; the test's own sshd, loopback only


def _ssh(key: Path, port: int, known_hosts: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            "ssh",
            "-F",
            "/dev/null",
            "-p",
            str(port),
            "-i",
            str(key),
            "-o",
            "BatchMode=yes",
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "StrictHostKeyChecking=yes",
            "-o",
            f"UserKnownHostsFile={known_hosts}",
            "-o",
            "GlobalKnownHostsFile=/dev/null",
            "-o",
            "ConnectTimeout=10",
            f"{USER}@127.0.0.1",
            "echo",
            "logged-in",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )


def _config(work: Path, scripts: Path, url: str, port: int) -> Path:
    helper = f"-u {url} -n {HOST}"
    lines = [
        f"Port {port}",
        "ListenAddress 127.0.0.1",
        f"HostKey {work}/host_key",
        f"HostCertificate {work}/host_key-cert.pub",
        f"PidFile {work}/sshd.pid",
        "UsePAM no",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "PermitRootLogin prohibit-password",
        "AuthorizedKeysFile none",
        # The principals command first: OpenSSH 9.2 drops one written after the keys command.
        f"AuthorizedPrincipalsCommand {scripts}/keyper-authprinc.sh {helper} %u %f %s",
        "AuthorizedPrincipalsCommandUser nobody",
        f"AuthorizedKeysCommand {scripts}/keyper-authkeys.sh {helper} %u %f",
        "AuthorizedKeysCommandUser nobody",
        f"TrustedUserCAKeys {work}/user_ca.pub",
        f"RevokedKeys {work}/krl",
        "LogLevel VERBOSE",
    ]
    path = work / "sshd_config"
    path.write_text("\n".join(lines) + "\n")
    return path


def _fetch(scripts: Path, url: str, work: Path) -> None:
    subprocess.run([f"{scripts}/keyper-fetch.sh", "-u", url, "-d", str(work)], check=True)


def test_sshd_accepts_keys_and_certificates_until_revoked(
    app: Flask, client: FlaskClient, admin: dict, tmp_path: Path
) -> None:
    work = tmp_path
    group = "e2e-servers"
    assert client.post("/api/groups", json={"name": group}, headers=admin).status_code == 201
    make_user(client, admin, USER, groups=[group])
    body = {"hostname": HOST, "groups": [group], "principals": ["127.0.0.1", HOST]}
    assert client.post("/api/hosts", json=body, headers=admin).status_code == 201
    me = login(client, USER, f"pw-of-{USER}")

    key_file, key_pub = ssh_keypair(work, "user_key")
    key = client.post(f"/api/users/{USER}/keys", json={"key": key_pub}, headers=me).get_json()
    cert_key, cert_pub = ssh_keypair(work, "cert_key")
    reply = client.post(f"/api/users/{USER}/certs", json={"public_key": cert_pub}, headers=me)
    cert = reply.get_json()
    Path(f"{cert_key}-cert.pub").write_text(cert["cert"] + "\n")

    _, host_pub = ssh_keypair(work, "host_key")
    reply = client.post(f"/api/hosts/{HOST}/certs", json={"public_key": host_pub}, headers=admin)
    Path(f"{work}/host_key-cert.pub").write_text(reply.get_json()["cert"] + "\n")

    port = free_port()
    with serve(app) as url, root_owned_scripts() as scripts:
        _fetch(scripts, url, work)
        known_hosts = work / "known_hosts"
        host_ca = (work / "host_ca.pub").read_text().strip()
        known_hosts.write_text(f"@cert-authority [127.0.0.1]:{port} {host_ca}\n")
        config = _config(work, scripts, url, port)
        with sshd(config, port, work / "sshd.log"):
            by_key = _ssh(key_file, port, known_hosts)
            assert by_key.stdout == "logged-in\n", by_key.stderr + (work / "sshd.log").read_text()
            by_cert = _ssh(cert_key, port, known_hosts)
            assert by_cert.stdout == "logged-in\n", by_cert.stderr

            # a client that trusts another CA for this host refuses the host certificate
            _, other_ca = ssh_keypair(work, "other_ca")
            strange = work / "known_hosts_other"
            strange.write_text(f"@cert-authority [127.0.0.1]:{port} {other_ca}\n")
            refused = _ssh(key_file, port, strange)
            assert refused.returncode == 255 and "Host key verification failed" in refused.stderr

            headers = admin
            assert (
                client.delete(f"/api/users/{USER}/keys/{key['id']}", headers=headers).status_code
                == 204
            )
            assert (
                client.delete(f"/api/users/{USER}/certs/{cert['id']}", headers=headers).status_code
                == 204
            )
            _fetch(scripts, url, work)
            listed = subprocess.run(
                [
                    "ssh-keygen",
                    "-Q",
                    "-f",
                    str(work / "krl"),
                    f"{key_file}.pub",
                    f"{cert_key}-cert.pub",
                ],
                capture_output=True,
                text=True,
            )
            assert listed.stdout.count(": REVOKED") == 2
            denied_key = _ssh(key_file, port, known_hosts)
            denied_cert = _ssh(cert_key, port, known_hosts)
        log = (work / "sshd.log").read_text()
    assert denied_key.returncode == 255 and "Permission denied" in denied_key.stderr
    assert denied_cert.returncode == 255 and "Permission denied" in denied_cert.stderr
    # refused by sshd's RevokedKeys (the KRL from /api/krl), not only by the API's answers
    assert f"Authentication key ED25519 {key['fingerprint']} revoked by file" in log
    assert f"Authentication key ED25519-CERT {cert['fingerprint']} revoked by file" in log
