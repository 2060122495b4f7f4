"""`lightbase run` imports only what it uses: each module below costs PID 1 milliseconds of
CPU and hundreds of KB at every boot, and none is needed by a plain container."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

# PyYAML only for a service.yaml or a YAML environment file; json only for a control request;
# subprocess only for user:, MAIN_COMMAND or a program found on PATH; shutil for
# --copy-service; traceback for a bug; dataclasses (with inspect, ast, tokenize) never.
NOT_AT_BOOT = (
    "yaml",
    "json",
    "subprocess",
    "shutil",
    "traceback",
    "dataclasses",
    "inspect",
    "ast",
    "tokenize",
)


def loaded_after(code: str) -> list[str]:
    check = f"\nprint(' '.join(sorted(m for m in {NOT_AT_BOOT!r} if m in sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", "import sys\n" + code + check],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.splitlines()[-1].split()


def test_importing_what_run_needs_loads_none_of_the_heavy_modules() -> None:
    code = "import lightbase.cli as cli, lightbase.lifecycle\ncli.build_parser('run')"
    assert loaded_after(code) == []


def test_a_whole_run_without_yaml_files_loads_none_of_the_heavy_modules(tmp_path: Path) -> None:
    root = tmp_path / "container"
    (root / "service" / "only-startup").mkdir(parents=True)
    (root / "environment").mkdir()
    (root / "environment" / "GREETING").write_text("hello\n")
    startup = root / "service" / "only-startup" / "startup.sh"
    startup.write_text("#!/bin/sh\nexit 0\n")
    startup.chmod(0o755)
    code = (
        "from lightbase.cli import main\n"
        f"code = main(['run', '--root', {str(root)!r}, '--dont-touch-etc-hosts'])\n"
        "assert code == 0, code"
    )
    assert loaded_after(code) == []
    assert (root / "run" / "environment" / "GREETING").read_text() == "hello"
