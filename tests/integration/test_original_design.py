"""A service tree written for the original design runs unchanged under lightbase's supervisor:
startup.sh uses log-helper and complex-bash-env, process.sh waits with `sv check PATH`."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from .conftest import Container

TREE = Path(__file__).parents[1] / "unit" / "tool_original_design_tree"
BIN = Path(sys.executable).parent


def test_original_design_tree_boots_under_lightbase(container: Container) -> None:
    shutil.rmtree(container.root)
    shutil.copytree(TREE, container.root)
    tools = container.marks.parent / "sbin"  # what an image links into PATH
    tools.mkdir()
    (tools / "sv").symlink_to(BIN / "lightbase-sv")
    container.start(env={"PATH": f"{tools}:{BIN}:{os.environ['PATH']}"})
    web = container.wait_for_state("web", "up")
    assert web["restarts"] == 0
    config = (container.root / "run" / "ldap.conf").read_text()
    assert config == (
        "replica ldap://ldap1.example.org\n"
        "replica ldap://ldap2.example.org\n"
        "olcLogLevel stats\n"
        "olcSizeLimit 500\n"
    )
    container.wait_for_log("web: Starting")
    log = container.log
    assert "ldap: admin bind with ***" in log
    assert "change-me-admin-pw" not in log
    assert log.index("service ldap: up") < log.index("web: Starting")
    assert container.stop() == 0
