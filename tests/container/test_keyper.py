"""The keyper reference image in a real engine: boot, LDAPS, the CA over HTTPS, a killed nginx,
restart and recreation on the same volumes, and secrets kept out of the log.

The tests of this module share one stack and run in file order: later ones restart and
recreate the container the first ones booted.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .helpers import Container, Engine, Images, engine_name
from .keyper_stack import (
    ADMIN_DN,
    BASE_DN,
    MANAGER_DN,
    PASSWORD,
    Stack,
    build_keyper_image,
    https_get,
    ldapsearch,
    run_log_lines,
    stack_fixture,
    wait_healthy,
)

FIRST_START_WORDS = ("first start", "creating", "self-signed", "token secret")


@pytest.fixture(scope="module")
def keyper_image(images: Images) -> str:
    return build_keyper_image(images.base)


@pytest.fixture(scope="module")
def stack(
    engine: Engine, keyper_image: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    yield from stack_fixture(engine, keyper_image, tmp_path_factory.mktemp("keyper"))


@pytest.fixture(scope="module")
def keyper(stack: Stack) -> Container:
    container = stack.start()
    wait_healthy(container)
    return container


def nginx_pid(container: Container) -> int:
    pid = container.status()["nginx"]["pid"]
    assert isinstance(pid, int)
    return pid


def test_first_start_initialises_everything_once(keyper: Container) -> None:
    lines = "\n".join(run_log_lines(keyper.logs()))
    assert "first start: creating the LDAP configuration in /etc/openldap/slapd.d" in lines
    assert "first start: creating the SSH CA keys" in lines
    assert "no TLS certificate in /etc/keyper/tls: creating a self-signed one" in lines
    assert "WARNING" not in lines and "ERROR" not in lines


def test_engine_healthcheck_reports_healthy(keyper: Container, engine: Engine) -> None:
    if engine_name() == "podman":
        engine("healthcheck", "run", keyper.name, timeout=30)
    else:
        keyper.wait_until(
            "healthy", lambda: keyper.inspect("{{.State.Health.Status}}") == "healthy", 90
        )
    assert keyper.inspect("{{.State.Health.Status}}") == "healthy"


def test_admin_searches_over_ldaps_with_a_special_character_password(keyper: Container) -> None:
    result = ldapsearch(keyper, MANAGER_DN, "-b", f"ou=groups,{BASE_DN}", "-s", "one", "cn")
    assert result.returncode == 0, result.stderr
    assert sorted(line for line in result.stdout.splitlines() if line.startswith("cn:")) == [
        "cn: AllHosts",
        "cn: KeyperAdmins",
    ]
    # The initial admin user has the same password, stored hashed.
    whoami = ldapsearch(keyper, ADMIN_DN, "-b", ADMIN_DN, "-s", "base", "cn")
    assert whoami.returncode == 0, whoami.stderr
    assert "cn: admin" in whoami.stdout


def test_wrong_password_is_refused_over_ldaps(keyper: Container) -> None:
    result = keyper.exec(
        "env", "LDAPTLS_CACERT=/etc/keyper/tls/ca.crt", "ldapsearch", "-x",
        "-H", "ldaps://localhost:636", "-D", MANAGER_DN, "-w", "wrong", "-b", BASE_DN,
        check=False,
    )  # fmt: skip
    assert result.returncode == 49  # invalidCredentials


def test_ca_public_keys_and_krl_are_served_over_https(keyper: Container) -> None:
    user_ca = https_get(keyper, "/api/userca").decode()
    host_ca = https_get(keyper, "/api/hostca").decode()
    assert user_ca.startswith("ssh-ed25519 ") and host_ca.startswith("ssh-ed25519 ")
    assert user_ca != host_ca
    assert https_get(keyper, "/api/krl").startswith(b"SSHKRL\n")
    assert b'"status":"ok"' in https_get(keyper, "/api/health")
    assert https_get(keyper, "/scripts/keyper-authkeys.sh").startswith(b"#!")


def test_ca_private_keys_are_readable_by_the_api_user_only(keyper: Container) -> None:
    out = keyper.exec(
        "stat", "-c", "%n %U %a", "/etc/sshca", "/etc/sshca/ca_user_key", "/etc/sshca/ca_host_key"
    ).stdout.splitlines()
    assert out == [
        "/etc/sshca keyper 700",
        "/etc/sshca/ca_user_key keyper 600",
        "/etc/sshca/ca_host_key keyper 600",
    ]


def test_each_service_runs_as_its_own_user(keyper: Container) -> None:
    script = "for p in /proc/[0-9]*; do echo $(stat -c %U $p) $(tr '\\0' ' ' < $p/cmdline); done"
    lines = keyper.exec("sh", "-c", script).stdout.splitlines()
    users = {
        name: {line.split()[0] for line in lines if name in line.split(" ", 1)[1]}
        for name in ("slapd -d", "gunicorn", "nginx: worker")
    }
    assert users == {"slapd -d": {"ldap"}, "gunicorn": {"keyper"}, "nginx: worker": {"nginx"}}


def test_killed_nginx_is_back_within_a_second(keyper: Container) -> None:
    old = nginx_pid(keyper)
    keyper.exec("sh", "-c", f"kill -9 {old}")
    killed_at = time.monotonic()
    while True:
        nginx = keyper.status()["nginx"]
        if nginx["pid"] not in (None, old) and nginx["ready"]:
            break
        assert time.monotonic() - killed_at < 10, f"nginx not back: {nginx}"
        time.sleep(0.05)
    back_after = time.monotonic() - killed_at
    # Each status query is an `exec` (a few hundred ms on a loaded machine): the bound allows
    # for that; what it pins is a restart without back-off and with the ports free again.
    assert back_after < 2.0, f"nginx back after {back_after:.2f} s"
    assert nginx["restarts"] == 1
    assert https_get(keyper, "/api/userca").startswith(b"ssh-")


def test_restart_reuses_everything_quietly(keyper: Container, engine: Engine) -> None:
    user_ca = https_get(keyper, "/api/userca")
    before = len(run_log_lines(keyper.logs()))
    engine("restart", "-t", "10", keyper.name, timeout=60)
    wait_healthy(keyper)
    second_boot = run_log_lines(keyper.logs())[before:]
    assert second_boot, "no log lines from the second boot"
    quiet(second_boot)
    assert https_get(keyper, "/api/userca") == user_ca


def test_new_container_on_the_same_volumes_reuses_everything(
    keyper: Container, stack: Stack
) -> None:
    user_ca = https_get(keyper, "/api/userca")
    keyper.engine("rm", "-f", "-t", "10", keyper.name)
    successor = stack.start()
    wait_healthy(successor)
    quiet(run_log_lines(successor.logs()))
    assert https_get(successor, "/api/userca") == user_ca
    result = ldapsearch(successor, MANAGER_DN, "-b", BASE_DN, "-s", "base", "o")
    assert result.returncode == 0 and "o: Example Inc." in result.stdout
    assert PASSWORD not in successor.logs()


def test_admin_password_never_appears_in_the_log(stack: Stack) -> None:
    for name in stack.containers:
        logs = stack.engine("logs", name, check=False)
        assert PASSWORD not in logs.stdout + logs.stderr


def test_a_wrong_password_on_existing_volumes_stops_the_container(
    stack: Stack, tmp_path: Path
) -> None:
    for name in stack.containers:
        stack.engine("rm", "-f", "-t", "10", name)
    wrong = tmp_path / "wrong-password"
    wrong.write_text("not-the-admin-password", encoding="utf-8")
    wrong.chmod(0o644)
    try:
        refused = stack.start(
            f"-v={wrong}:/run/wrong-pw:ro", "-e=LDAP_ADMIN_PASSWORD_FILE=/run/wrong-pw"
        )
        deadline = time.monotonic() + 60
        while refused.inspect("{{.State.Running}}") == "true":
            assert time.monotonic() < deadline, "container did not stop"
            time.sleep(0.5)
        assert refused.inspect("{{.State.ExitCode}}") == "78"
        assert (
            "LDAP_ADMIN_PASSWORD: not the password of the existing directory in "
            "/etc/openldap/slapd.d" in refused.logs()
        )
    finally:
        stack.engine("rm", "-f", "-t", "0", stack.containers[-1], check=False)


def test_half_initialised_volumes_stop_the_container(stack: Stack, tmp_path: Path) -> None:
    for name in stack.containers:
        stack.engine("rm", "-f", "-t", "10", name)
    empty_data = f"{stack.prefix}-empty-data"
    stack.engine("volume", "create", empty_data)
    try:
        lonely = stack.start(data=empty_data)
        deadline = time.monotonic() + 60
        while lonely.inspect("{{.State.Running}}") == "true":
            assert time.monotonic() < deadline, "container did not stop"
            time.sleep(0.5)
        assert lonely.inspect("{{.State.ExitCode}}") == "1"
        assert (
            "LDAP_CONFIG_DIR /etc/openldap/slapd.d holds a configuration but LDAP_DATA_DIR"
            " /var/lib/openldap/openldap-data holds no database" in lonely.logs()
        )
    finally:
        stack.engine("rm", "-f", "-t", "0", stack.containers[-1], check=False)
        stack.engine("volume", "rm", "-f", empty_data, check=False)


def test_default_password_is_refused_without_development_mode(
    engine: Engine, keyper_image: str
) -> None:
    result = engine("run", "--rm", keyper_image, check=False, timeout=60)
    assert result.returncode == 1
    assert "LDAP_ADMIN_PASSWORD: still the image's default" in result.stdout + result.stderr


def quiet(lines: list[str]) -> None:
    """A boot on existing volumes: no first-start work, no warnings, no errors."""
    noisy = [
        line
        for line in lines
        if "WARNING" in line or "ERROR" in line or any(w in line for w in FIRST_START_WORDS)
    ]
    assert noisy == [], "\n".join(noisy)


# What deploy/kubernetes/statefulset.yaml grants the container, as engine options.
HARDENED = (
    "--read-only",
    "--tmpfs=/container/run:rw,exec,mode=0755",
    "--tmpfs=/tmp",
    "--security-opt=no-new-privileges",
    "--cap-drop=all",
    "--cap-add=CHOWN,DAC_OVERRIDE,FOWNER,SETUID,SETGID,KILL,NET_BIND_SERVICE",
)


def test_hardened_first_start_with_read_only_root_and_few_capabilities(
    engine: Engine, keyper_image: str, tmp_path: Path
) -> None:
    for hardened_stack in stack_fixture(engine, keyper_image, tmp_path):
        hardened = hardened_stack.start(*HARDENED)
        wait_healthy(hardened)
        assert https_get(hardened, "/api/hostca").startswith(b"ssh-ed25519 ")
        result = ldapsearch(hardened, MANAGER_DN, "-b", BASE_DN, "-s", "base", "dc")
        assert result.returncode == 0, result.stderr
