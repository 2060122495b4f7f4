"""scripts/engine: which flags reach the engine. The engine here is a stand-in that prints
its arguments; tests/container runs the real one."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def capped_hard_limit(flag: str, cap: int) -> int:
    """This shell's hard limit, at most `cap`: the most a container may ask for."""
    value = subprocess.run(
        ["bash", "-c", f"ulimit -H {flag}"], capture_output=True, text=True, check=True
    ).stdout.strip()
    return cap if value == "unlimited" else min(int(value), cap)


@pytest.fixture
def fake_engines(tmp_path: Path) -> Path:
    """podman and docker stand-ins that print one argument per line."""
    for name in ("podman", "docker"):
        fake = tmp_path / name
        fake.write_text('#!/bin/sh\nprintf "%s\\n" "$@"\n')
        fake.chmod(0o755)
    return tmp_path


def engine(fakes: Path, engine: str, flags: str, *args: str) -> list[str]:
    env = {**os.environ, "ENGINE": str(fakes / engine), "ENGINE_HOST_FLAGS": flags}
    result = subprocess.run(
        [str(REPO / "scripts/engine"), *args], env=env, capture_output=True, text=True, check=True
    )
    return result.stdout.splitlines()


def test_podman_run_gets_runc_and_ulimits_when_host_flags_are_on(fake_engines: Path) -> None:
    nofile = capped_hard_limit("-n", 1048576)
    nproc = capped_hard_limit("-u", 32768)
    assert engine(fake_engines, "podman", "on", "run", "--rm", "img") == [
        "--runtime",
        "runc",
        "run",
        "--ulimit",
        f"nofile={nofile}:{nofile}",
        "--ulimit",
        f"nproc={nproc}:{nproc}",
        "--rm",
        "img",
    ]


def test_podman_build_always_gets_the_docker_format(fake_engines: Path) -> None:
    assert engine(fake_engines, "podman", "off", "build", "-t", "x", ".") == [
        "build",
        "--format",
        "docker",
        "-t",
        "x",
        ".",
    ]


def test_podman_exec_gets_only_the_runtime(fake_engines: Path) -> None:
    assert engine(fake_engines, "podman", "on", "exec", "box", "true") == [
        "--runtime",
        "runc",
        "exec",
        "box",
        "true",
    ]


def test_host_flags_off_passes_arguments_unchanged(fake_engines: Path) -> None:
    assert engine(fake_engines, "podman", "off", "run", "img") == ["run", "img"]


def test_docker_gets_arguments_unchanged(fake_engines: Path) -> None:
    assert engine(fake_engines, "docker", "on", "build", "-t", "x", ".") == [
        "build",
        "-t",
        "x",
        ".",
    ]


def test_unknown_host_flags_value_is_refused(fake_engines: Path) -> None:
    env = {**os.environ, "ENGINE": str(fake_engines / "podman"), "ENGINE_HOST_FLAGS": "maybe"}
    result = subprocess.run(
        [str(REPO / "scripts/engine"), "run", "img"], env=env, capture_output=True, text=True
    )
    assert (result.returncode, result.stderr) == (
        2,
        "engine: ENGINE_HOST_FLAGS must be auto, on or off, not 'maybe'\n",
    )
