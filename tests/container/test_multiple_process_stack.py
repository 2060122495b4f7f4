"""add-multiple-process-stack in a real Debian image: cron runs a job, a `logger` line reaches the
container log through syslog-ng, runit's own sv replaces the shim while lightbase still
supervises, and the container stops cleanly.

The tests share one container and run in file order: the last one stops it. Cron's clock has
a one-minute grain, so its test waits for the first minute boundary after the start (at most
75 s after it) and the tests before it run while cron waits.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from .helpers import TEST_VERSION, Container, Engine, Images, tree

STACK_TEST_IMAGE = "localhost/lightbase-test-stack"
# A job placed in /etc/cron.d fires at the first minute boundary after cron starts: at most
# 60 s, plus the boot and a loaded machine's slack.
CRON_DEADLINE = 75.0
STOP_TIMEOUT = 20


@dataclass
class Started:
    container: Container
    at: float  # time.monotonic() when the engine had started it


@pytest.fixture(scope="session")
def stack_image(engine: Engine, images: Images) -> str:
    """tests/container/trees/stack/Containerfile on the session's base image; the engine's
    layer cache keeps the apt-get layer while the base image is unchanged."""
    image = f"{STACK_TEST_IMAGE}:{TEST_VERSION}"
    context = tree("stack")
    engine(
        "build", "-f", str(context / "Containerfile"), "--build-arg", f"BASE_IMAGE={images.base}",
        "-t", image, str(context), timeout=900,
    )  # fmt: skip
    return image


@pytest.fixture(scope="module")
def stack(engine: Engine, stack_image: str) -> Iterator[Started]:
    name = f"lightbase-test-stack-{uuid.uuid4().hex[:10]}"
    engine("run", "-d", "--name", name, stack_image)
    try:
        yield Started(Container(engine, name), time.monotonic())
    finally:
        engine("rm", "-f", "-t", "0", name, check=False)


def syslog_lines(logs: str) -> list[str]:
    """The container log's lines written by syslog-ng (not lightbase's `*** ` lines)."""
    return [line for line in logs.splitlines() if not line.startswith("*** ")]


def logged(box: Container, ending: str) -> bool:
    """Whether syslog-ng wrote a line ending with `ending` to the container log."""
    return any(line.endswith(ending) for line in syslog_lines(box.logs()))


def test_sv_is_runits_own_and_lightbase_still_supervises_the_daemons(stack: Started) -> None:
    box = stack.container
    box.wait_healthy()
    where = box.exec("sh", "-c", 'command -v sv; dpkg -S "$(command -v sv)"; ls /usr/local/bin')
    lines = where.stdout.splitlines()
    assert lines[:2] == ["/usr/bin/sv", "runit: /usr/bin/sv"]
    assert "sv" not in lines[2:] and "lightbase-sv" in lines[2:]
    # Only the services with a process.sh run; logrotate and runit only install packages.
    status = box.status()
    assert sorted(status) == ["cron", "syslog-ng-core"]
    assert [status[name]["state"] for name in sorted(status)] == ["up", "up"]
    assert status["syslog-ng-core"]["ready"] is True
    # runit's sv asks runsv, which lightbase's own supervisor does not run: scripts gated by
    # `sv check` need `lightbase sv` here, or `lightbase run --supervisor runit`.
    runit_sv = box.exec("sv", "status", "cron", check=False)
    assert runit_sv.returncode == 1
    assert (
        runit_sv.stdout
        == "fail: cron: unable to change to service directory: file does not exist\n"
    )


def test_logger_line_from_exec_reaches_the_container_log(stack: Started) -> None:
    box = stack.container
    word = uuid.uuid4().hex[:12]
    box.exec("logger", "-t", "lbtest", f"hello {word}")
    expected = f"user.notice lbtest: hello {word}"
    box.wait_until("showing the logger line", lambda: logged(box, expected), timeout=20)


def test_cron_runs_a_job_at_the_next_minute_boundary(stack: Started) -> None:
    box = stack.container
    remaining = max(CRON_DEADLINE - (time.monotonic() - stack.at), 1.0)
    box.wait_until(
        "showing the cron job's logger line",
        lambda: logged(box, "user.notice lbcron: cron ran a job"),
        timeout=remaining,
    )
    assert box.exec("test", "-f", "/tmp/cron-ran", check=False).returncode == 0
    # cron's PAM session works in the container: no errors from it, the job ran as a session.
    cron_lines = [line for line in syslog_lines(box.logs()) if "CRON[" in line]
    commands = [line for line in cron_lines if "cron.info CRON[" in line and " CMD (" in line]
    assert any("CMD (touch /tmp/cron-ran;" in line for line in commands), cron_lines
    assert [line for line in cron_lines if ".err " in line] == []


def test_stop_ends_every_daemon_and_exits_0_well_inside_the_timeout(
    stack: Started, engine: Engine
) -> None:
    box = stack.container
    begin = time.monotonic()
    engine("stop", "-t", str(STOP_TIMEOUT), box.name, timeout=STOP_TIMEOUT + 30)
    took = time.monotonic() - begin
    assert took < STOP_TIMEOUT / 2, f"stop took {took:.1f} s"
    assert box.inspect("{{.State.ExitCode}}") == "0"
    logs = box.logs()
    assert "syslog-ng shutting down" in logs
    lightbase_lines = [
        line.split(" | ", 2)[-1] for line in logs.splitlines() if line.startswith("*** ")
    ]
    assert lightbase_lines[-1] == "exiting with code 0"
    assert "service cron: down" in lightbase_lines
    assert "service syslog-ng-core: down" in lightbase_lines
