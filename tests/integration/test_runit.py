"""`lightbase run --supervisor runit` with Debian's runit: runsvdir supervises, lightbase is PID 1.

Each container's tree is bind-mounted at /container inside the PID namespace's own mount
namespace (unshare makes its mounts private, so nothing reaches the host's mount table), so
scripts of the original design that name `/container/run/process/NAME` work unchanged. An
empty /container directory is created on the host when absent, as the mount point, and left
there: removing it could detach the mount of a run still going on.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import LIGHTBASE, Container, children, cmdline, wait_until

TREE = Path(__file__).parents[1] / "unit" / "tool_original_design_tree"
BIN = Path(sys.executable).parent
MOUNT_POINT = Path("/container")
# Bind the tree, then become lightbase: `sh -c SCRIPT TREE COMMAND...` gives $0 = TREE.
MOUNT_AND_RUN = 'mount --bind "$0" /container && exec "$@"'


@pytest.fixture(autouse=True)
def runit_installed() -> None:
    if shutil.which("runsvdir") and shutil.which("sv"):
        return
    message = "runit not found: install Debian's runit package"
    if os.environ.get("CI"):
        raise RuntimeError(message)  # CI installs it (.ci/run): never skip there
    pytest.skip(message)


def start_under_runit(box: Container, *args: str, env: dict[str, str] | None = None) -> None:
    """Like Container.start, with the tree at /container and `--supervisor runit`."""
    MOUNT_POINT.mkdir(exist_ok=True)
    lightbase = [LIGHTBASE, "run", "--root", "/container", "--dont-touch-etc-hosts"]
    command = [
        *("unshare", "--pid", "--fork", "--mount-proc", "--propagation", "private"),
        *("sh", "-c", MOUNT_AND_RUN, str(box.root)),
        *(*lightbase, "--supervisor", "runit", *args),
    ]
    environment = {"PATH": f"{BIN}:{os.environ['PATH']}", "MARKS": str(box.marks), **(env or {})}
    box.started_at = time.monotonic()
    box.proc = subprocess.Popen(
        command,
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=box.stdout_path.open("ab"),
        stderr=box.stderr_path.open("ab"),
    )
    box.pid1 = True
    proc = box.proc

    def lightbase_runs() -> bool:  # or has already ended, as after a failed startup
        kids = children(proc.pid)
        return proc.poll() is not None or bool(kids and "lightbase" in cmdline(kids[0]))

    wait_until(lightbase_runs, 5, "sh to become lightbase")


def real_sv(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["sv", *args], capture_output=True, text=True, timeout=15, check=False)


def marked(box: Container, name: str) -> str:
    path = box.mark(name)
    return path.read_text() if path.exists() else ""


def host_pids(box: Container, command: str) -> list[int]:
    return [pid for pid, line in box.processes() if line == command]


def test_original_design_tree_runs_unchanged_under_runit(container: Container) -> None:
    shutil.rmtree(container.root)
    shutil.copytree(TREE, container.root)
    start_under_runit(container)
    container.wait_for_log("web: Starting", timeout=30)
    process = container.root / "run" / "process"
    assert os.readlink(process / "web" / "run") == "/container/service/web/process.sh"
    assert real_sv("check", str(process / "ldap")).returncode == 0
    status = real_sv("status", str(process / "web"))
    assert status.stdout.startswith(f"run: {process / 'web'}: (pid "), status.stdout
    config = (container.root / "run" / "ldap.conf").read_text()
    assert config == (
        "replica ldap://ldap1.example.org\n"
        "replica ldap://ldap2.example.org\n"
        "olcLogLevel stats\n"
        "olcSizeLimit 500\n"
    )
    assert "ldap: admin bind with ***" in container.log
    assert "change-me-admin-pw" not in container.log
    runsvdir = container.wait_for_state("runsvdir", "up")  # up once runsv says every one runs
    assert runsvdir["restarts"] == 0
    assert container.stop() == 0


def test_runsv_restarts_a_service_killed_with_sigkill(container: Container) -> None:
    container.service("sleeper", 'echo start >> "$MARKS/starts"\nexec sleep 1001\n')
    start_under_runit(container)
    container.wait_for_mark("starts")
    wait_until(lambda: host_pids(container, "sleep 1001"), 10, "sleep 1001")
    (first,) = host_pids(container, "sleep 1001")
    os.kill(first, signal.SIGKILL)
    wait_until(lambda: marked(container, "starts") == "start\nstart\n", 10, "restart")
    wait_until(lambda: host_pids(container, "sleep 1001"), 10, "the new sleep 1001")
    assert host_pids(container, "sleep 1001") != [first]
    assert container.status()["runsvdir"]["restarts"] == 0  # runsv restarted it, not lightbase
    assert container.stop() == 0


def test_sigterm_stops_runit_services_within_the_deadline_and_exits_0(
    container: Container,
) -> None:
    container.service(
        "polite",
        """
        trap 'echo TERM >> "$MARKS/polite"; exit 0' TERM
        echo up >> "$MARKS/polite"
        while :; do sleep 0.1; done
        """,
        finish='echo "finish $1 $2" >> "$MARKS/polite"\n',
    )
    container.service(
        "stubborn",
        """
        trap '' TERM
        echo up >> "$MARKS/stubborn"
        exec sleep 1002
        """,
    )
    start_under_runit(container, env={"KILL_PROCESS_TIMEOUT": "2"})
    container.wait_for_mark("polite")
    container.wait_for_mark("stubborn")
    container.kill(signal.SIGTERM)
    asked = time.monotonic()
    assert container.wait() == 0
    took = time.monotonic() - asked
    assert 1.5 < took < 6, f"stopped in {took:.1f} s\n{container.log}"
    assert container.mark("polite").read_text() == "up\nTERM\nfinish 0 0\n"
    assert "still running after 2 s: runsvdir; sending SIGKILL" in container.log
    assert "service runsvdir: services still running: stubborn" in container.log


def test_a_second_start_under_runit_runs_the_services_again(
    container: Container,
) -> None:
    container.service("again", 'echo start >> "$MARKS/again"\nexec sleep 1003\n')
    for starts in ("start\n", "start\nstart\n"):
        start_under_runit(container)
        wait_until(lambda s=starts: marked(container, "again") == s, 10, starts)
        container.wait_for_state("runsvdir", "up")
        assert container.stop() == 0
    assert "ERROR" not in container.log
    assert "fatal" not in container.output + container.log  # runsv's complaints


def test_startup_failure_under_runit_exits_with_the_scripts_code(container: Container) -> None:
    container.service(
        "broken", 'echo ran >> "$MARKS/broken"\nexec sleep 1004\n', startup="exit 3\n"
    )
    start_under_runit(container)
    assert container.wait() == 3
    assert "service/broken/startup.sh exited with code 3" in container.log
    assert "runsvdir: starting" not in container.log
    assert not container.mark("broken").exists()


def test_hup_and_usr1_to_pid1_reach_a_runit_service(container: Container) -> None:
    container.service(
        "reloader",
        """
        trap 'echo HUP >> "$MARKS/signals"' HUP
        trap 'echo USR1 >> "$MARKS/signals"' USR1
        echo up >> "$MARKS/up"
        while :; do sleep 0.1; done
        """,
    )
    start_under_runit(container)
    container.wait_for_mark("up")
    container.kill(signal.SIGHUP)
    wait_until(lambda: container.mark("signals").exists(), 10, "HUP to reach the service")
    container.kill(signal.SIGUSR1)
    wait_until(lambda: marked(container, "signals") == "HUP\nUSR1\n", 10, "USR1")
    assert container.mark("up").read_text() == "up\n"  # signalled, not restarted
    assert container.status()["runsvdir"]["state"] == "up"
    assert container.stop() == 0


def test_runit_without_runsvdir_on_path_is_a_configuration_error(container: Container) -> None:
    container.service("web", "exec sleep 1005\n")
    container.start("--supervisor", "runit", env={"PATH": str(BIN)}, pid1=False)
    assert container.wait() == 78
    assert "--supervisor runit: runsvdir, runsv and sv not found on PATH; install runit" in (
        container.log
    )


def test_main_command_starts_once_runsv_runs_every_service(container: Container) -> None:
    container.service("first", "exec sleep 1006\n")
    container.service("second", "exec sleep 1007\n")
    check = "sv -w 0 check /container/run/process/first /container/run/process/second && exit 7"
    start_under_runit(container, "--", "sh", "-c", check)
    assert container.wait() == 7, container.log + container.output


def test_runsvdir_killed_stops_the_services_and_ends_the_container(container: Container) -> None:
    container.service(
        "polite",
        """
        trap 'echo TERM >> "$MARKS/polite"; exit 0' TERM
        echo up >> "$MARKS/polite"
        while :; do sleep 0.1; done
        """,
    )
    start_under_runit(container)
    container.wait_for_mark("polite")
    (runsvdir,) = [pid for pid, line in container.processes() if "runsvdir /container" in line]
    os.kill(runsvdir, signal.SIGKILL)
    assert container.wait() == 128 + signal.SIGKILL
    assert marked(container, "polite") == "up\nTERM\n"
    assert "service runsvdir ended the container: killed by SIGKILL (critical)" in container.log
