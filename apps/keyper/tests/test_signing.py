"""Keys, certificates, the KRL and the public endpoints sshd's helpers use."""

from __future__ import annotations

import subprocess
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

from flask.testing import FlaskClient

from keyper.access import key_usable
from keyper.app import create_app
from keyper.model import KeyRecord
from keyper.serials import next_serial

from conftest import login, make_user, ssh_keypair


def _krl_says(client: FlaskClient, tmp_path: Path, line: str) -> str:
    krl, item = tmp_path / "krl", tmp_path / "item.pub"
    krl.write_bytes(client.get("/api/krl").get_data())
    item.write_text(line + "\n")
    out = subprocess.run(
        ["ssh-keygen", "-Q", "-f", str(krl), str(item)], capture_output=True, text=True
    )
    return out.stdout.strip().rsplit(": ", 1)[-1]


def _setup(client: FlaskClient, admin: dict, unique: str) -> tuple[str, str]:
    user, host = f"u{unique}", f"h{unique}.test"
    client.post("/api/groups", json={"name": f"g{unique}"}, headers=admin)
    make_user(client, admin, user, groups=[f"g{unique}"])
    reply = client.post(
        "/api/hosts", json={"hostname": host, "groups": [f"g{unique}"]}, headers=admin
    )
    assert reply.status_code == 201
    return user, host


def test_key_is_served_for_a_host_in_a_shared_group_until_deleted(
    client: FlaskClient, admin: dict, unique: str, tmp_path: Path
) -> None:
    user, host = _setup(client, admin, unique)
    _, pub = ssh_keypair(tmp_path)
    me = login(client, user, f"pw-of-{user}")
    reply = client.post(f"/api/users/{user}/keys", json={"key": pub, "name": "laptop"}, headers=me)
    assert reply.status_code == 201, reply.get_json()
    key = reply.get_json()
    assert key["host_groups"] == [f"g{unique}"]
    authkeys = client.get(f"/api/authkeys?username={user}&host={host}")
    assert authkeys.get_data(as_text=True) == pub + "\n"
    by_fp = client.get(
        "/api/authkeys",
        query_string={"username": user, "host": host, "fingerprint": key["fingerprint"]},
    )
    assert by_fp.get_data(as_text=True) == pub + "\n"
    client.post("/api/hosts", json={"hostname": f"other{unique}.test"}, headers=admin)
    elsewhere = client.get(f"/api/authkeys?username={user}&host=other{unique}.test")
    assert elsewhere.get_data(as_text=True) == ""
    assert client.delete(f"/api/users/{user}/keys/{key['id']}", headers=me).status_code == 204
    assert client.get(f"/api/authkeys?username={user}&host={host}").get_data(as_text=True) == ""
    assert _krl_says(client, tmp_path, pub) == "REVOKED"


def test_same_key_twice_is_409(
    client: FlaskClient, admin: dict, unique: str, tmp_path: Path
) -> None:
    user, _ = _setup(client, admin, unique)
    _, pub = ssh_keypair(tmp_path)
    assert (
        client.post(f"/api/users/{user}/keys", json={"key": pub}, headers=admin).status_code == 201
    )
    assert (
        client.post(f"/api/users/{user}/keys", json={"key": pub}, headers=admin).status_code == 409
    )


def test_garbage_public_key_is_400(client: FlaskClient, admin: dict, unique: str) -> None:
    user, _ = _setup(client, admin, unique)
    reply = client.post(
        f"/api/users/{user}/keys", json={"key": "ssh-ed25519 AAAAnotakey"}, headers=admin
    )
    assert reply.status_code == 400
    assert reply.get_json()["error"] == "public key: the base64 part is not an SSH key blob"


def test_expired_key_is_not_usable() -> None:
    record = KeyRecord(
        "0" * 16, "", "k", "fp", "2020-01-01T00:00:00Z", "2021-01-01T00:00:00Z", ["g"]
    )
    assert not key_usable(record, {"g"}, datetime(2022, 1, 1, tzinfo=timezone.utc))
    assert key_usable(record, {"g"}, datetime(2020, 6, 1, tzinfo=timezone.utc))
    assert not key_usable(record, {"other"}, datetime(2020, 6, 1, tzinfo=timezone.utc))


def test_user_certificate_is_signed_served_and_revoked(
    client: FlaskClient, admin: dict, unique: str, tmp_path: Path
) -> None:
    user, host = _setup(client, admin, unique)
    _, pub = ssh_keypair(tmp_path)
    me = login(client, user, f"pw-of-{user}")
    key = client.post(f"/api/users/{user}/keys", json={"key": pub}, headers=me).get_json()
    reply = client.post(
        f"/api/users/{user}/certs", json={"key_id": key["id"], "valid_for": "2h"}, headers=me
    )
    assert reply.status_code == 201, reply.get_json()
    cert = reply.get_json()
    cert_file = tmp_path / "id-cert.pub"
    cert_file.write_text(cert["cert"] + "\n")
    listing = subprocess.run(
        ["ssh-keygen", "-L", "-f", str(cert_file)], capture_output=True, text=True, check=True
    ).stdout
    assert "user certificate" in listing
    assert f'Key ID: "{user}"' in listing
    assert f"Serial: {cert['serial']}" in listing
    assert f"                {user}\n" in listing  # the one principal
    query = {
        "username": user,
        "host": host,
        "fingerprint": key["fingerprint"],
        "serial": cert["serial"],
    }
    assert client.get("/api/authprinc", query_string=query).get_data(as_text=True) == f"{user}\n"
    served = client.get("/api/usercert", query_string={"username": user}).get_data(as_text=True)
    assert served == cert["cert"] + "\n"
    assert client.delete(f"/api/users/{user}/certs/{cert['id']}", headers=me).status_code == 204
    assert client.get("/api/authprinc", query_string=query).get_data(as_text=True) == ""
    assert _krl_says(client, tmp_path, cert["cert"]) == "REVOKED"
    assert _krl_says(client, tmp_path, pub) == "ok"  # the key itself stays usable


def test_self_service_cannot_sign_for_a_group_they_are_not_in(
    client: FlaskClient, admin: dict, unique: str, tmp_path: Path
) -> None:
    user, _ = _setup(client, admin, unique)
    _, pub = ssh_keypair(tmp_path)
    me = login(client, user, f"pw-of-{user}")
    body = {"public_key": pub, "host_groups": ["AllHosts"]}
    reply = client.post(f"/api/users/{user}/certs", json=body, headers=me)
    assert reply.status_code == 403
    assert reply.get_json() == {"error": "host group 'AllHosts': you are not a member"}


def test_host_certificate_is_signed_as_host_cert(
    client: FlaskClient, admin: dict, unique: str, tmp_path: Path
) -> None:
    _, host = _setup(client, admin, unique)
    _, pub = ssh_keypair(tmp_path, "host")
    reply = client.post(
        f"/api/hosts/{host}/certs", json={"public_key": pub, "valid_for": "1w"}, headers=admin
    )
    assert reply.status_code == 201, reply.get_json()
    cert = reply.get_json()
    assert cert["principals"] == [host] and cert["kind"] == "host"
    (tmp_path / "c.pub").write_text(cert["cert"] + "\n")
    listing = subprocess.run(
        ["ssh-keygen", "-L", "-f", str(tmp_path / "c.pub")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "host certificate" in listing
    served = client.get("/api/hostcert", query_string={"hostname": host}).get_data(as_text=True)
    assert served == cert["cert"] + "\n"


def test_deleting_a_user_revokes_their_keys_and_certificates(
    client: FlaskClient, admin: dict, unique: str, tmp_path: Path
) -> None:
    user, _ = _setup(client, admin, unique)
    _, pub = ssh_keypair(tmp_path)
    client.post(f"/api/users/{user}/keys", json={"key": pub}, headers=admin)
    _, other = ssh_keypair(tmp_path, "other")
    cert = client.post(
        f"/api/users/{user}/certs", json={"public_key": other}, headers=admin
    ).get_json()
    assert client.delete(f"/api/users/{user}", headers=admin).status_code == 204
    assert _krl_says(client, tmp_path, pub) == "REVOKED"
    assert _krl_says(client, tmp_path, cert["cert"]) == "REVOKED"


def test_locked_user_gets_no_keys(
    client: FlaskClient, admin: dict, unique: str, tmp_path: Path
) -> None:
    user, host = _setup(client, admin, unique)
    _, pub = ssh_keypair(tmp_path)
    client.post(f"/api/users/{user}/keys", json={"key": pub}, headers=admin)
    client.patch(f"/api/users/{user}", json={"locked": True}, headers=admin)
    assert client.get(f"/api/authkeys?username={user}&host={host}").get_data(as_text=True) == ""


def test_ssh_keygen_failure_is_an_api_error_naming_the_step(
    environ: dict, admin: dict, unique: str, tmp_path: Path
) -> None:
    broken = create_app({**environ, "SSH_CA_USER_KEY": str(tmp_path / "missing")}).test_client()
    user = f"u{unique}"
    make_user(broken, admin, user)
    _, pub = ssh_keypair(tmp_path)
    reply = broken.post(f"/api/users/{user}/certs", json={"public_key": pub}, headers=admin)
    assert reply.status_code == 500
    message = reply.get_json()["error"]
    assert message.startswith(f"sign user certificate for {user}: ssh-keygen failed: ")


def _serials(state_dir: str) -> list[int]:
    return [next_serial(Path(state_dir)) for _ in range(25)]


def test_serials_are_unique_across_processes(tmp_path: Path) -> None:
    with ProcessPoolExecutor(max_workers=4) as pool:
        batches = list(pool.map(_serials, [str(tmp_path)] * 4))
    every = [s for batch in batches for s in batch]
    assert sorted(every) == list(range(1, 101))
