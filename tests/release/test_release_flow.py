"""The Makefile's release targets in a throwaway git repository (real git, real tags)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
IDENTITY = {
    "GIT_AUTHOR_NAME": "Release Test",
    "GIT_AUTHOR_EMAIL": "release@test.invalid",
    "GIT_COMMITTER_NAME": "Release Test",
    "GIT_COMMITTER_EMAIL": "release@test.invalid",
}

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def run(repo: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **IDENTITY, "MAKEFLAGS": ""}
    return subprocess.run(argv, cwd=repo, env=env, capture_output=True, text=True, check=False)


def git(repo: Path, *argv: str) -> str:
    result = run(repo, "git", *argv)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The release machinery of this checkout at version 1.2.3 (tag v1.2.3), committed."""
    repo = tmp_path / "repo"
    for name in ("Makefile", "scripts/release", "src/lightbase/__init__.py"):
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, repo / name)
    (repo / ".release").write_text("release=1.2.3\ntag=v1.2.3\n")
    init = repo / "src/lightbase/__init__.py"
    init.write_text(re.sub(r'__version__ = ".*"', '__version__ = "1.2.3"', init.read_text()))
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "start")
    git(repo, "tag", "v1.2.3")
    return repo


def package_version(repo: Path) -> str:
    match = re.search(r'__version__ = "(.*)"', (repo / "src/lightbase/__init__.py").read_text())
    assert match
    return match.group(1)


def test_showver_prints_the_release(repo: Path) -> None:
    result = run(repo, "make", "-s", "showver")
    assert (result.returncode, result.stdout) == (0, "1.2.3\n")


@pytest.mark.parametrize(
    ("target", "version"),
    [("patch-release", "1.2.4"), ("minor-release", "1.3.0"), ("major-release", "2.0.0")],
)
def test_release_target_bumps_commits_and_tags(repo: Path, target: str, version: str) -> None:
    result = run(repo, "make", "-s", target)
    assert result.returncode == 0, result.stderr
    assert (repo / ".release").read_text() == f"release={version}\ntag=v{version}\n"
    assert package_version(repo) == version
    assert git(repo, "log", "-1", "--format=%s") == f"Release {version}"
    assert git(repo, "rev-parse", f"v{version}^{{commit}}") == git(repo, "rev-parse", "HEAD")
    assert git(repo, "status", "--porcelain") == ""
    assert run(repo, "make", "-s", "showver").stdout == f"{version}\n"


def test_release_pushes_nothing(repo: Path, tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(repo, "remote", "add", "origin", str(remote))
    assert run(repo, "make", "-s", "patch-release").returncode == 0
    assert git(repo, "ls-remote", "origin") == ""


def test_release_refuses_a_dirty_tree(repo: Path) -> None:
    (repo / "notes.txt").write_text("not committed\n")
    result = run(repo, "make", "-s", "patch-release")
    assert result.returncode != 0
    assert "release: the work tree has uncommitted changes" in result.stderr
    assert (repo / ".release").read_text() == "release=1.2.3\ntag=v1.2.3\n"
    assert git(repo, "tag", "--list") == "v1.2.3"


def test_release_refuses_an_existing_tag(repo: Path) -> None:
    git(repo, "tag", "v1.3.0")
    result = run(repo, "make", "-s", "minor-release")
    assert result.returncode != 0
    assert "release: tag v1.3.0 already exists" in result.stderr
    assert (repo / ".release").read_text() == "release=1.2.3\ntag=v1.2.3\n"
    assert git(repo, "log", "-1", "--format=%s") == "start"


def test_release_refuses_a_malformed_version(repo: Path) -> None:
    (repo / ".release").write_text("release=1.2\ntag=1.2\n")
    git(repo, "commit", "-q", "-am", "broken")
    result = run(repo, "make", "-s", "patch-release")
    assert result.returncode != 0
    assert "release: .release: release=1.2 is not X.Y.Z" in result.stderr


def test_checked_in_release_matches_the_package_version() -> None:
    release = (REPO / ".release").read_text()
    assert f"release={package_version(REPO)}\n" in release
