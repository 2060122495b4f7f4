"""Talking to a container engine from tests: scripts/engine as a function, running containers."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import pytest

REPO = Path(__file__).resolve().parents[2]
ENGINE_SCRIPT = REPO / "scripts" / "engine"
TREES = Path(__file__).resolve().parent / "trees"
TEST_IMAGE = "localhost/lightbase-test"
TEST_VERSION = "test"
BOOT_TIMEOUT = 60.0


def unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI") == "true":
        pytest.fail(f"container tests cannot run in CI: {reason}")
    pytest.skip(reason)


def engine_name() -> str:
    """The engine scripts/engine runs: $ENGINE, else podman when installed, else docker."""
    chosen = os.environ.get("ENGINE") or ("podman" if shutil.which("podman") else "docker")
    return Path(chosen).name


@dataclass(frozen=True)
class Engine:
    """scripts/engine as a function; every call has a timeout."""

    def __call__(
        self, *args: str, timeout: float = 120.0, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [str(ENGINE_SCRIPT), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"engine {' '.join(args)} exited {result.returncode}:\n{result.stderr}"
            )
        return result


@dataclass
class Container:
    engine: Engine
    name: str

    def exec(self, *argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self.engine("exec", self.name, *argv, check=check)

    def logs(self) -> str:
        result = self.engine("logs", self.name)
        return result.stdout + result.stderr

    def inspect(self, template: str) -> str:
        return self.engine("inspect", "-f", template, self.name).stdout.strip()

    def status(self) -> dict[str, Any]:
        """`lightbase sv status --json` inside the container, services by name."""
        reply = json.loads(self.exec("lightbase", "sv", "status", "--json").stdout)
        return {service["name"]: service for service in reply["services"]}

    def wait_until(
        self, what: str, condition: Callable[[], bool], timeout: float = BOOT_TIMEOUT
    ) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.name}: not {what} after {timeout:g} s:\n{self.logs()}")
            if self.inspect("{{.State.Running}}") != "true":
                raise AssertionError(
                    f"{self.name}: exited while waiting until {what}:\n{self.logs()}"
                )
            time.sleep(0.5)

    def wait_healthy(self, timeout: float = BOOT_TIMEOUT) -> None:
        self.wait_until(
            "healthy",
            lambda: self.exec("lightbase", "health", check=False).returncode == 0,
            timeout,
        )


@dataclass(frozen=True)
class Images:
    base: str
    demo: str


def tree(name: str) -> Path:
    """A service tree of tests/container/trees, to mount over /container/service."""
    return TREES / name
