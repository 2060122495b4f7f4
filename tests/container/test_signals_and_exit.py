"""Signals from the engine reach the services; a failing startup script ends the container."""

from __future__ import annotations

from collections.abc import Callable

from .helpers import Container, Engine, Images, tree


def test_hup_from_the_engine_reaches_the_services(
    start: Callable[..., Container], engine: Engine, images: Images
) -> None:
    service = f"{tree('signals') / 'service'}:/container/service:ro"
    box = start(images.base, "-v", service)
    box.wait_until("listening", lambda: "listener: waiting for signals" in box.logs())
    engine("kill", "-s", "HUP", box.name)
    box.wait_until("signalled", lambda: "listener: got SIGHUP" in box.logs(), timeout=20)
    box.wait_healthy()
    assert box.status()["listener"]["restarts"] == 0


def test_failing_startup_script_makes_the_container_exit_with_its_code(
    engine: Engine, images: Images
) -> None:
    service = f"{tree('failing-startup') / 'service'}:/container/service:ro"
    result = engine("run", "--rm", "-v", service, images.base, check=False, timeout=60)
    output = result.stdout + result.stderr
    assert result.returncode == 7, output
    assert "broken: startup fails on purpose" in output
    assert "process started" not in output
