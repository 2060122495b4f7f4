"""The demo image (examples/demo/tree on the base) as PID 1 of real containers."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from .helpers import REPO, Container, Engine, Images, engine_name

DEMO_SERVICES = sorted(p.name for p in (REPO / "examples/demo/tree/service").iterdir())
READ_ONLY = ("--read-only", "--tmpfs", "/container/run:rw,exec,mode=1777")


def error_lines(logs: str) -> list[str]:
    return [line for line in logs.splitlines() if line.startswith("*** ERROR")]


def test_demo_image_boots_with_every_service_up(
    start: Callable[..., Container], images: Images
) -> None:
    demo = start(images.demo)
    demo.wait_healthy()
    status = demo.status()
    assert sorted(status) == DEMO_SERVICES == ["api", "flaky", "pinger"]
    assert status["api"]["state"] == status["pinger"]["state"] == "up"
    demo.wait_until("serving", lambda: "pinger: api says: Hello from lightbase" in demo.logs())
    assert error_lines(demo.logs()) == []


def test_stop_returns_well_inside_its_timeout_with_exit_code_0(
    start: Callable[..., Container], engine: Engine, images: Images
) -> None:
    demo = start(images.demo)
    demo.wait_healthy()
    began = time.monotonic()
    engine("stop", "-t", "10", demo.name, timeout=30)
    assert time.monotonic() - began < 5.0
    assert demo.inspect("{{.State.ExitCode}}") == "0"
    assert "exiting with code 0" in demo.logs()


def test_service_killed_with_sigkill_is_restarted(
    start: Callable[..., Container], images: Images
) -> None:
    demo = start(images.demo)
    demo.wait_healthy()
    old_pid = demo.status()["pinger"]["pid"]
    demo.exec("sh", "-c", 'kill -9 "$1"', "sh", str(old_pid))

    def restarted() -> bool:
        pinger = demo.status()["pinger"]
        return pinger["state"] == "up" and pinger["pid"] not in (None, old_pid)

    demo.wait_until("restarting pinger", restarted, timeout=30)
    pinger = demo.status()["pinger"]
    assert pinger["restarts"] == 1
    assert pinger["last_exit"] == {"code": None, "signal": "SIGKILL"}


def test_healthcheck_turns_healthy(
    start: Callable[..., Container], engine: Engine, images: Images
) -> None:
    demo = start(images.demo)
    demo.wait_healthy()
    # The engine runs the image's HEALTHCHECK command itself here, not our exec. podman on a
    # host without systemd runs it only when asked; docker runs it every 30 s on its own.
    if engine_name() == "podman":
        engine("healthcheck", "run", demo.name, timeout=30)
    else:
        demo.wait_until(
            "healthy", lambda: demo.inspect("{{.State.Health.Status}}") == "healthy", 90
        )
    assert demo.inspect("{{.State.Health.Status}}") == "healthy"


def test_restarting_the_same_container_boots_cleanly(
    start: Callable[..., Container], engine: Engine, images: Images
) -> None:
    demo = start(images.demo)
    demo.wait_healthy()
    engine("stop", "-t", "10", demo.name, timeout=30)
    engine("start", demo.name)
    demo.wait_healthy()
    logs = demo.logs()
    assert logs.count(": container root /container, log level") == 2  # two boots
    assert error_lines(logs) == []


def test_recreating_the_container_on_the_same_volume_boots_cleanly(
    start: Callable[..., Container], engine: Engine, images: Images, volume: str
) -> None:
    state = ("-v", f"{volume}:/container/run/state")
    first = start(images.demo, *state)
    first.wait_healthy()
    engine("stop", "-t", "10", first.name, timeout=30)
    engine("rm", first.name)
    second = start(images.demo, *state)
    second.wait_healthy()
    assert error_lines(second.logs()) == []
    marker = second.exec("ls", "/container/run/state/first-startup-done", check=False)
    assert marker.returncode == 0


@pytest.mark.parametrize(
    "root", [READ_ONLY, ()], ids=["read-only-root-with-tmpfs-run-dir", "writable-root"]
)
def test_arbitrary_uid_with_gid_0_boots(
    start: Callable[..., Container], images: Images, root: tuple[str, ...]
) -> None:
    demo = start(images.demo, "--user", "12345:0", *root)
    demo.wait_healthy()
    assert demo.exec("id", "-u").stdout.strip() == "12345"
    owners = {
        name: demo.exec("stat", "-c", "%u", f"/proc/{service['pid']}").stdout.strip()
        for name, service in demo.status().items()
        if name != "flaky"  # it crashes every 5 s by design; its pid may be gone
    }
    assert owners == {"api": "12345", "pinger": "12345"}
    assert error_lines(demo.logs()) == []
