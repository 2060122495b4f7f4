"""container/tool/: the wrappers an image links into /sbin run the package's tools."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

TOOL_DIR = Path(__file__).resolve().parents[2] / "container" / "tool"
VENV_BIN = Path(sys.executable).parent

USAGE = {
    "setuser": "usage: setuser USER|UID[:GROUP] COMMAND [ARGS...]",
    "log-helper": "usage: log-helper LEVEL [MESSAGE...]",
    "complex-bash-env": "usage: complex-bash-env [-q] SUBCOMMAND [-q] ARG",
    "wait-process": "usage: wait-process [--timeout SEC] NAME...",
    "install-service": "usage: install-service [--root DIR] [--keep]",
    "add-service-available": "usage: add-service-available [--root DIR] NAME...",
    "add-multiple-process-stack": "usage: add-multiple-process-stack [--root DIR] [--no-cron] "
    "[--no-syslog-ng]",
    "lightbase-sv": "usage: sv [-v] [-w SEC] COMMAND SERVICE...",
}


def wrapper(name: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    # python3 on PATH is the interpreter that has lightbase installed, as in an image.
    return subprocess.run(
        [str(TOOL_DIR / name), *args],
        capture_output=True,
        text=True,
        env={"PATH": f"{VENV_BIN}:/usr/bin:/bin"},
        cwd=cwd,
        check=False,
    )


@pytest.mark.parametrize("name", sorted(USAGE))
def test_wrapper_runs_its_tool(name: str) -> None:
    result = wrapper(name, "--help")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith(USAGE[name])


def test_wrappers_are_executable_and_nothing_else_is_there() -> None:
    names = sorted(p.name for p in TOOL_DIR.iterdir())
    assert names == sorted([*USAGE, "run"])
    assert all(os.access(TOOL_DIR / n, os.X_OK) for n in names)


def test_module_in_current_directory_cannot_hijack_a_wrapper(tmp_path: Path) -> None:
    # The wrapper's own directory is on sys.path, never the caller's working directory.
    (tmp_path / "re.py").write_text("raise SystemExit('hijacked')\n")
    result = wrapper("log-helper", "level", "eq", "info", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")


@pytest.mark.skipif(importlib.util.find_spec("lightbase.cli") is None, reason="cli not merged")
def test_run_wrapper_is_lightbase_run() -> None:
    result = wrapper("run", "--help")
    assert result.returncode == 0
