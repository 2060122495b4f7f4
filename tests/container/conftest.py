"""Fixtures for tests in a real container engine (marker `container`).

The images are built once per session with `make image` on a Debian base made by
scripts/debian-base (debootstrap, cached under ~/.cache/lightbase), so no registry is needed.
Every engine call goes through scripts/engine, which adds the flags this host needs.

Where no engine can run the tests are skipped with the reason; under CI (CI=true) that is a
failure instead, because CI must run them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from .helpers import REPO, TEST_IMAGE, TEST_VERSION, Container, Engine, Images, unavailable


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.container)


@pytest.fixture(scope="session")
def engine() -> Engine:
    if not shutil.which("podman") and not shutil.which("docker") and not os.environ.get("ENGINE"):
        unavailable("no container engine (podman or docker) is installed")
    engine = Engine()
    info = engine("info", check=False, timeout=60)
    if info.returncode != 0:
        unavailable(f"the container engine does not work here: {info.stderr.strip()[-300:]}")
    return engine


@pytest.fixture(scope="session")
def images(engine: Engine) -> Images:
    """The base and demo images, built with `make image` on a debootstrapped Debian base."""
    base = subprocess.run(
        [str(REPO / "scripts" / "debian-base")],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if base.returncode != 0:
        unavailable(f"no Debian base image can be made here: {base.stderr.strip()[-300:]}")
    build = subprocess.run(
        [
            "make",
            "--no-print-directory",
            "-C",
            str(REPO),
            "image",
            f"IMAGE={TEST_IMAGE}",
            f"VERSION={TEST_VERSION}",
            f"BASE_IMAGE={base.stdout.strip()}",
        ],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert build.returncode == 0, f"make image failed:\n{build.stdout}\n{build.stderr}"
    return Images(f"{TEST_IMAGE}:{TEST_VERSION}", f"{TEST_IMAGE}-demo:{TEST_VERSION}")


@pytest.fixture
def start(engine: Engine) -> Iterator[Callable[..., Container]]:
    """start(image, *options, command=()) -> a running detached Container, removed afterwards."""
    names: list[str] = []

    def start(image: str, *options: str, command: tuple[str, ...] = ()) -> Container:
        name = f"lightbase-test-{uuid.uuid4().hex[:10]}"
        names.append(name)
        engine("run", "-d", "--name", name, *options, image, *command)
        return Container(engine, name)

    yield start
    for name in names:
        engine("rm", "-f", "-t", "0", name, check=False)


@pytest.fixture
def volume(engine: Engine) -> Iterator[str]:
    name = f"lightbase-test-{uuid.uuid4().hex[:10]}"
    engine("volume", "create", name)
    yield name
    engine("volume", "rm", "-f", name, check=False)
