"""A service tree written for the original design runs unchanged with lightbase's tools.

The scripts (tool_original_design_tree/) call log-helper, complex-bash-env and `sv check`
by name; here they find lightbase's tools on PATH, with the environment the pipeline
would export and a stand-in supervisor on the control socket.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from .tool_fake_supervisor import FakeSupervisor, service

TREE = Path(__file__).parent / "tool_original_design_tree"
VENV_BIN = Path(sys.executable).parent

# What the environment pipeline exports for environment/default.yaml (brief's encoding).
ENVIRONMENT = {
    "LDAP_DOMAIN": "example.org",
    "LDAP_REPLICATION_HOSTS": (
        "#COMPLEX_BASH_ENV:TABLE: LDAP_REPLICATION_HOSTS_ROW_1 LDAP_REPLICATION_HOSTS_ROW_2"
    ),
    "LDAP_REPLICATION_HOSTS_ROW_1": "ldap://ldap1.example.org",
    "LDAP_REPLICATION_HOSTS_ROW_2": "ldap://ldap2.example.org",
    "LDAP_OPTIONS": "#COMPLEX_BASH_ENV:TABLE: LDAP_OPTIONS_ROW_1 LDAP_OPTIONS_ROW_2",
    "LDAP_OPTIONS_ROW_1": "#COMPLEX_BASH_ENV:ROW: LDAP_OPTIONS_ROW_1_KEY LDAP_OPTIONS_ROW_1_VALUE",
    "LDAP_OPTIONS_ROW_1_KEY": "olcLogLevel",
    "LDAP_OPTIONS_ROW_1_VALUE": "stats",
    "LDAP_OPTIONS_ROW_2": "#COMPLEX_BASH_ENV:ROW: LDAP_OPTIONS_ROW_2_KEY LDAP_OPTIONS_ROW_2_VALUE",
    "LDAP_OPTIONS_ROW_2_KEY": "olcSizeLimit",
    "LDAP_OPTIONS_ROW_2_VALUE": "500",
    "LDAP_ADMIN_PASSWORD": "change-me-admin-pw",
}


@pytest.fixture
def environ(tmp_path: Path) -> dict[str, str]:
    """PATH with the tools under the names the scripts use; sv is the shim."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("log-helper", "complex-bash-env"):
        (bin_dir / name).symlink_to(VENV_BIN / name)
    (bin_dir / "sv").symlink_to(VENV_BIN / "lightbase-sv")
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    return {
        **ENVIRONMENT,
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "CONTAINER_ROOT": str(TREE),
        "CONTAINER_RUN_DIR": str(run_dir),
        "CONTAINER_LOG_LEVEL": "info",
    }


def log_lines(text: str) -> list[str]:
    return [re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", "TIME", line) for line in text.splitlines()]


def test_startup_script_of_original_design_runs_unchanged(environ: dict[str, str]) -> None:
    result = subprocess.run(
        [str(TREE / "service/ldap/startup.sh")],
        capture_output=True,
        text=True,
        env=environ,
        check=False,
    )
    assert (result.returncode, result.stdout) == (0, "")
    assert log_lines(result.stderr) == [
        "*** INFO    | TIME | ldap: configuring example.org",
        "*** INFO    | TIME | ldap: admin bind with ***",
    ]
    config = Path(environ["CONTAINER_RUN_DIR"]) / "ldap.conf"
    assert config.read_text() == (
        "replica ldap://ldap1.example.org\n"
        "replica ldap://ldap2.example.org\n"
        "olcLogLevel stats\n"
        "olcSizeLimit 500\n"
    )


def test_process_script_gated_by_sv_check_starts_when_dependency_is_ready(
    environ: dict[str, str],
) -> None:
    run_dir = Path(environ["CONTAINER_RUN_DIR"])
    with FakeSupervisor(run_dir / "control.sock", [service("ldap", pid=109, uptime=0)]):
        process = subprocess.Popen(
            [str(TREE / "service/web/process.sh")],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=environ,
        )
        try:
            assert process.stdout is not None and process.stderr is not None
            first_out = process.stdout.readline()
            first_err = process.stderr.readline()
            assert process.poll() is None  # exec'd its daemon and keeps running
        finally:
            process.kill()
            process.wait()
    assert first_out == "ok: run: /container/run/process/ldap: (pid 109) 0s\n"
    assert log_lines(first_err) == ["*** INFO    | TIME | web: Starting"]


def test_process_script_stops_when_dependency_does_not_become_ready(
    environ: dict[str, str],
) -> None:
    # runit's behaviour: `sv check` times out, `bash -e` ends process.sh, the supervisor
    # starts it again later.
    run_dir = Path(environ["CONTAINER_RUN_DIR"])
    ldap = service("ldap", state="starting", ready=False, pid=109, uptime=0)
    with FakeSupervisor(run_dir / "control.sock", [ldap]):
        result = subprocess.run(
            [str(TREE / "service/web/process.sh")],
            capture_output=True,
            text=True,
            env={**environ, "SVWAIT": "0.5"},
            timeout=60,
            check=False,
        )
    assert result.returncode == 1
    assert result.stdout == "timeout: run: /container/run/process/ldap: (pid 109) 0s, not ready\n"
    assert result.stderr == ""
