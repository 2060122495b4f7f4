"""The keyper image end to end with real OpenSSH (issue 8): the image runs on its volumes and
serves HTTPS on a published port; a user, a key, a user certificate and a host certificate are
made through that API; an sshd on the host's loopback, set up as docs/keyper-api.md tells a
server to be (the helper scripts the image serves, over HTTPS verified with the stack's CA
certificate, TrustedUserCAKeys and RevokedKeys from keyper-fetch.sh), accepts the key and the
certificate, and a client with @cert-authority in known_hosts accepts its host certificate.
After revocation through the API sshd refuses both at once (the helpers stop answering), and
after the next KRL fetch through RevokedKeys itself.

The tests of this module share one stack and one sshd and run in file order: the last two
revoke what the others log in with.
"""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from .helpers import REPO, Container, Engine, Images, unavailable
from .keyper_stack import PASSWORD, Stack, build_keyper_image, stack_fixture, wait_healthy
from .openssh import SSHD, free_port, keypair, krl_query, root_owned_dir, ssh, sshd

HOST = "e2e-host"  # the server's name in keyper (the helpers' -n)
USER = "root"  # the account sshd logs in to: the test's own sshd, on loopback only
USER_PASSWORD = "root's e2e password"
GROUP = "e2e-servers"
SCRIPTS = ("keyper-authkeys.sh", "keyper-authprinc.sh", "keyper-fetch.sh")
LOGGED_IN = "logged-in\n"


@dataclass(frozen=True)
class Api:
    """keyper's API over HTTPS, verifying the server with the stack's CA certificate."""

    url: str
    context: ssl.SSLContext
    token: str = ""

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        """(status, decoded JSON or text) of METHOD /api/PATH; 4xx and 5xx are answers too."""
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"{self.url}/api/{path}", data=data, headers=headers, method=method
        )
        try:
            with urllib.request.urlopen(request, context=self.context, timeout=30) as reply:
                status, raw, kind = reply.status, reply.read(), reply.headers.get_content_type()
        except urllib.error.HTTPError as error:
            status, raw, kind = error.code, error.read(), error.headers.get_content_type()
        return status, json.loads(raw) if kind == "application/json" else raw.decode()

    def ok(self, method: str, path: str, body: dict[str, Any] | None, status: int) -> Any:
        got, answer = self.call(method, path, body)
        assert got == status, f"{method} /api/{path}: {got} {answer}"
        return answer

    def login(self, username: str, password: str) -> Api:
        answer = self.ok("POST", "login", {"username": username, "password": password}, 200)
        return Api(self.url, self.context, answer["token"])


@dataclass(frozen=True)
class Server:
    """An enrolled server: sshd on 127.0.0.1:port, set up with keyper's helpers in `helpers`."""

    port: int
    work: Path
    helpers: Path
    url: str
    admin: Api
    user_key: Path
    key_record: dict[str, Any]
    cert_key: Path
    cert_record: dict[str, Any]
    known_hosts: Path

    @property
    def log(self) -> str:
        return (self.work / "sshd.log").read_text()

    def fetch(self) -> None:
        """keyper-fetch.sh as root would run it from cron: user CA key, host CA key, KRL."""
        fetched = self.helper("keyper-fetch.sh", "-d", str(self.helpers))
        assert fetched.returncode == 0, fetched.stderr

    def helper(
        self, name: str, *argv: str, cacert: bool = True
    ) -> subprocess.CompletedProcess[str]:
        options = ["-u", self.url, *(["-c", str(self.helpers / "ca.crt")] if cacert else [])]
        return subprocess.run(
            [str(self.helpers / name), *options, *argv],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )


@pytest.fixture(scope="module")
def keyper_image(images: Images) -> str:
    if os.geteuid() != 0:
        unavailable("sshd with AuthorizedKeysCommand needs root")
    if not SSHD.exists():
        unavailable(f"{SSHD} is not installed (Debian's openssh-server)")
    return build_keyper_image(images.base)


@pytest.fixture(scope="module")
def keyper(
    engine: Engine, keyper_image: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Container]:
    stacks: Iterator[Stack] = stack_fixture(
        engine, keyper_image, tmp_path_factory.mktemp("keyper-e2e")
    )
    for stack in stacks:
        container = stack.start()
        wait_healthy(container)
        yield container


def enrol(api: Api, work: Path) -> tuple[dict[str, Any], dict[str, Any], str]:
    """The walkthrough's steps 1, 2 and 4 through the API: the user's key and certificate
    (made by the user), the host certificate (made by the administrator)."""
    admin = api.login("admin", PASSWORD)
    admin.ok("POST", "groups", {"name": GROUP}, 201)
    host = {"hostname": HOST, "groups": [GROUP], "principals": ["127.0.0.1", HOST]}
    admin.ok("POST", "hosts", host, 201)
    user = {"username": USER, "surname": "Tester", "password": USER_PASSWORD, "groups": [GROUP]}
    admin.ok("POST", "users", user, 201)
    me = api.login(USER, USER_PASSWORD)
    key = me.ok("POST", f"users/{USER}/keys", {"key": keypair(work, "user_key")[1]}, 201)
    cert = me.ok("POST", f"users/{USER}/certs", {"public_key": keypair(work, "cert_key")[1]}, 201)
    (work / "cert_key-cert.pub").write_text(cert["cert"] + "\n")
    host_cert = admin.ok(
        "POST", f"hosts/{HOST}/certs", {"public_key": keypair(work, "host_key")[1]}, 201
    )
    (work / "host_key-cert.pub").write_text(host_cert["cert"] + "\n")
    return key, cert, admin.token


def install_helpers(api: Api, helpers: Path, ca_pem: str) -> None:
    """The helpers as the image serves them at /scripts/ (which must be the repository's),
    root-owned and executable, and the CA certificate of keyper's TLS certificate beside them."""
    for name in SCRIPTS:
        request = urllib.request.Request(api.url + f"/scripts/{name}")
        with urllib.request.urlopen(request, context=api.context, timeout=30) as reply:
            served = reply.read()
        assert served == (REPO / "apps" / "keyper" / "scripts" / name).read_bytes(), name
        (helpers / name).write_bytes(served)
        (helpers / name).chmod(0o755)
    (helpers / "ca.crt").write_text(ca_pem)
    (helpers / "ca.crt").chmod(0o644)


def sshd_config(server_dir: Path, helpers: Path, url: str, port: int) -> Path:
    """The walkthrough's step 3 sshd_config lines, on a loopback port with its own files."""
    helper = f"-u {url} -c {helpers}/ca.crt -n {HOST}"
    lines = [
        f"Port {port}",
        "ListenAddress 127.0.0.1",
        f"HostKey {server_dir}/host_key",
        f"HostCertificate {server_dir}/host_key-cert.pub",
        f"PidFile {server_dir}/sshd.pid",
        "UsePAM no",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "PermitRootLogin prohibit-password",
        "AuthorizedKeysFile none",
        # Before AuthorizedKeysCommand: OpenSSH 9.2 (Debian 12) silently drops an
        # AuthorizedPrincipalsCommand that follows it (`sshd -T` shows none), and then accepts
        # any certificate of the CA whose principals name the user, revoked in keyper or not.
        f"AuthorizedPrincipalsCommand {helpers}/keyper-authprinc.sh {helper} %u %f %s",
        "AuthorizedPrincipalsCommandUser nobody",
        f"AuthorizedKeysCommand {helpers}/keyper-authkeys.sh {helper} %u %f",
        "AuthorizedKeysCommandUser nobody",
        f"TrustedUserCAKeys {helpers}/user_ca.pub",
        f"RevokedKeys {helpers}/krl",
        "LogLevel VERBOSE",
    ]
    path = server_dir / "sshd_config"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def server(keyper: Container, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    published = keyper.engine("port", keyper.name, "443/tcp").stdout.strip()
    url = "https://127.0.0.1:" + published.rsplit(":", 1)[1]  # the certificate names 127.0.0.1
    ca_pem = keyper.exec("cat", "/etc/keyper/tls/ca.crt").stdout
    api = Api(url, ssl.create_default_context(cadata=ca_pem))
    work = tmp_path_factory.mktemp("openssh")
    key, cert, admin_token = enrol(api, work)
    port = free_port()
    with root_owned_dir() as helpers:
        install_helpers(api, helpers, ca_pem)
        known_hosts = work / "known_hosts"
        server = Server(
            port, work, helpers, url, Api(url, api.context, admin_token),
            work / "user_key", key, work / "cert_key", cert, known_hosts,
        )  # fmt: skip
        server.fetch()
        host_ca = (helpers / "host_ca.pub").read_text().strip()
        known_hosts.write_text(f"@cert-authority [127.0.0.1]:{port} {host_ca}\n")
        with sshd(sshd_config(work, helpers, url, port), port, work / "sshd.log"):
            yield server


def principals(server: Server) -> str:
    """What keyper-authprinc.sh tells sshd for the user certificate (sshd's %u %f %s)."""
    cert = server.cert_record
    answer = server.helper(
        "keyper-authprinc.sh", "-n", HOST, USER, cert["fingerprint"], str(cert["serial"])
    )
    assert answer.returncode == 0, answer.stderr
    return answer.stdout


def test_helpers_verify_keypers_certificate_with_the_ca_file(server: Server) -> None:
    verified = server.helper("keyper-authkeys.sh", "-n", HOST, USER)
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout == Path(f"{server.user_key}.pub").read_text()
    # without -c, curl has only the system's CAs, which never signed the stack's certificate
    unverified = server.helper("keyper-authkeys.sh", "-n", HOST, USER, cacert=False)
    assert unverified.returncode == 60, unverified  # curl: peer certificate cannot be verified
    assert unverified.stdout == ""


def test_sshd_accepts_the_key_added_through_the_api(server: Server) -> None:
    by_key = ssh(USER, server.user_key, server.port, server.known_hosts)
    assert by_key.stdout == LOGGED_IN, by_key.stderr + server.log
    assert f"Accepted publickey for {USER} from 127.0.0.1" in server.log


def test_sshd_accepts_the_user_certificate_signed_by_the_ca(server: Server) -> None:
    by_cert = ssh(USER, server.cert_key, server.port, server.known_hosts)
    assert by_cert.stdout == LOGGED_IN, by_cert.stderr + server.log
    serial = server.cert_record["serial"]
    assert f"ID {USER} (serial {serial}) CA ED25519" in server.log
    assert principals(server) == f"{USER}\n"


def test_client_with_cert_authority_accepts_the_host_certificate(server: Server) -> None:
    # the logins above already trusted the host through known_hosts' @cert-authority line
    # alone; a client that trusts another CA for this host refuses the same host certificate
    _, other_ca = keypair(server.work, "other_ca")
    strange = server.work / "known_hosts_other_ca"
    strange.write_text(f"@cert-authority [127.0.0.1]:{server.port} {other_ca}\n")
    refused = ssh(USER, server.user_key, server.port, strange)
    assert refused.returncode == 255 and "Host key verification failed" in refused.stderr
    trusted = ssh(USER, server.user_key, server.port, server.known_hosts)
    assert trusted.stdout == LOGGED_IN, trusted.stderr


def test_sshd_refuses_key_and_certificate_revoked_through_the_api_at_once(
    server: Server,
) -> None:
    admin = server.admin
    admin.ok("DELETE", f"users/{USER}/keys/{server.key_record['id']}", None, 204)
    admin.ok("DELETE", f"users/{USER}/certs/{server.cert_record['id']}", None, 204)
    # the helpers stop answering for them at once, before any new KRL reaches sshd
    assert principals(server) == ""
    assert server.helper("keyper-authkeys.sh", "-n", HOST, USER).stdout == ""
    denied_key = ssh(USER, server.user_key, server.port, server.known_hosts)
    denied_cert = ssh(USER, server.cert_key, server.port, server.known_hosts)
    assert denied_key.returncode == 255 and "Permission denied" in denied_key.stderr
    assert denied_cert.returncode == 255 and "Permission denied" in denied_cert.stderr
    # the certificate is still signed by a trusted CA: only AuthorizedPrincipalsCommand refuses it
    assert "Certificate does not contain an authorized principal" in server.log


def test_sshd_refuses_them_through_revoked_keys_after_the_krl_fetch(server: Server) -> None:
    user_pub = Path(f"{server.user_key}.pub")
    cert_pub = Path(f"{server.cert_key}-cert.pub")
    krl = server.helpers / "krl"
    assert krl_query(krl, user_pub, cert_pub) == [
        f"{user_pub} (user_key): ok",
        f"{cert_pub} (cert_key): ok",
    ]
    server.fetch()
    assert krl_query(krl, user_pub, cert_pub) == [
        f"{user_pub} (user_key): REVOKED",
        f"{cert_pub} (cert_key): REVOKED",
    ]
    denied_key = ssh(USER, server.user_key, server.port, server.known_hosts)
    denied_cert = ssh(USER, server.cert_key, server.port, server.known_hosts)
    assert denied_key.returncode == 255 and "Permission denied" in denied_key.stderr
    assert denied_cert.returncode == 255 and "Permission denied" in denied_cert.stderr
    # refused by sshd's RevokedKeys (the KRL from /api/krl) before any helper is asked
    log = server.log
    assert f"key ED25519 {server.key_record['fingerprint']} revoked by file" in log
    assert f"key ED25519-CERT {server.cert_record['fingerprint']} revoked by file" in log
