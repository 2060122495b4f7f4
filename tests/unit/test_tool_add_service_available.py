"""add-service-available and add-multiple-process-stack: check all, download, then move."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from lightbase.tools import add_multiple_process_stack, add_service_available

REPO = Path(__file__).resolve().parents[2]
STACK = ("cron", "syslog-ng-core", "logrotate", "runit")


def available(root: Path, name: str, download: str | None = None) -> Path:
    directory = root / "service-available" / name
    directory.mkdir(parents=True)
    (directory / "process.sh").write_text("#!/bin/sh\nexec sleep 1\n")
    if download is not None:
        (directory / "download.sh").write_text(download)
        (directory / "download.sh").chmod(0o755)
    return directory


def call(capfd, tool, *args: str) -> tuple[int, str]:
    code = tool.main(list(args))
    _, err = capfd.readouterr()
    return code, re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", "TIME", err)


def listing(directory: Path) -> list[str]:
    return sorted(str(p.relative_to(directory)) for p in directory.rglob("*"))


def test_runs_download_then_moves_into_service(tmp_path: Path, capfd) -> None:
    marker = tmp_path / "downloaded"
    available(tmp_path, "cron", f'#!/bin/sh\necho "$(basename "$PWD")" > {marker}\n')
    available(tmp_path, "other")
    code, err = call(capfd, add_service_available, "--root", str(tmp_path), ":cron")
    assert code == 0
    assert marker.read_text() == "cron\n"
    assert listing(tmp_path / "service") == ["cron", "cron/process.sh"]
    assert listing(tmp_path / "service-available") == ["other", "other/process.sh"]
    assert err == (
        "*** INFO    | TIME | add-service-available: running service-available/cron/download.sh\n"
        "*** INFO    | TIME | add-service-available: added service cron\n"
    )


def test_unknown_name_lists_available_and_moves_nothing(tmp_path: Path, capfd) -> None:
    available(tmp_path, "cron")
    available(tmp_path, "logrotate")
    code, err = call(capfd, add_service_available, "--root", str(tmp_path), "cron", "crond")
    assert code == 1
    assert err == (
        f"add-service-available: no service 'crond' in {tmp_path}/service-available "
        "(available: cron, logrotate)\n"
    )
    assert not (tmp_path / "service").exists()


def test_name_already_in_service_is_an_error(tmp_path: Path, capfd) -> None:
    available(tmp_path, "cron")
    (tmp_path / "service" / "cron").mkdir(parents=True)
    code, err = call(capfd, add_service_available, "--root", str(tmp_path), "cron")
    assert (code, err) == (
        1,
        f"add-service-available: cron is already a service ({tmp_path}/service/cron)\n",
    )
    assert (tmp_path / "service-available" / "cron").is_dir()


def test_failing_download_fails_with_its_code_and_nothing_moves(tmp_path: Path, capfd) -> None:
    available(tmp_path, "a", "#!/bin/sh\nexit 0\n")
    available(tmp_path, "b", "#!/bin/sh\nexit 9\n")
    code, err = call(capfd, add_service_available, "--root", str(tmp_path), "a", "b")
    assert code == 9
    assert err.endswith(
        "add-service-available: service-available/b/download.sh failed with exit code 9\n"
    )
    assert listing(tmp_path / "service-available") == [
        "a", "a/download.sh", "a/process.sh", "b", "b/download.sh", "b/process.sh",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        ((), 2, "add-service-available: usage: add-service-available [--root DIR] NAME..."),
        (("cron", ":cron"), 2, "add-service-available: cron is given twice"),
        (("../etc",), 2, "add-service-available: invalid service name '../etc'"),
        (("-f",), 2, "add-service-available: unknown option '-f'"),
    ],
)
def test_bad_arguments(tmp_path: Path, capfd, args: tuple[str, ...], code: int, message: str):
    available(tmp_path, "cron")
    assert call(capfd, add_service_available, "--root", str(tmp_path), *args) == (
        code,
        message + "\n",
    )


def test_stack_adds_the_four_companions_and_skips_present_or_unwanted(
    tmp_path: Path, capfd
) -> None:
    for name in STACK:
        available(tmp_path, name)
    (tmp_path / "service" / "cron").mkdir(parents=True)
    code, err = call(capfd, add_multiple_process_stack, "--root", str(tmp_path), "--no-runit")
    assert code == 0
    assert sorted(p.name for p in (tmp_path / "service").iterdir()) == [
        "cron", "logrotate", "syslog-ng-core",
    ]  # fmt: skip
    assert (tmp_path / "service-available" / "cron").is_dir()  # the present one is untouched
    assert (tmp_path / "service-available" / "runit").is_dir()
    assert "add-multiple-process-stack: cron is already a service; left as it is" in err


def test_stack_reports_a_missing_companion(tmp_path: Path, capfd) -> None:
    available(tmp_path, "cron")
    code, err = call(capfd, add_multiple_process_stack, "--root", str(tmp_path))
    assert code == 1
    assert err == (
        f"add-multiple-process-stack: no service 'syslog-ng-core' in "
        f"{tmp_path}/service-available (available: cron)\n"
    )


def test_shipped_companions_have_executable_scripts() -> None:
    shipped = REPO / "container" / "service-available"
    for name in STACK:
        download = shipped / name / "download.sh"
        assert os.access(download, os.X_OK), download
    for name in ("cron", "syslog-ng-core"):
        assert os.access(shipped / name / "process.sh", os.X_OK), name


def test_download_without_a_package_manager_fails_clearly(tmp_path: Path) -> None:
    # PATH without apt-get or apk: the script must say so, not half-install.
    shipped = REPO / "container" / "service-available"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("sh", "cat"):
        (bin_dir / tool).symlink_to(f"/bin/{tool}")
    result = subprocess.run(
        ["/bin/sh", str(shipped / "cron" / "download.sh")],
        capture_output=True,
        text=True,
        env={"PATH": str(bin_dir)},
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr == (
        "cron/download.sh: neither apt-get nor apk found: install cron yourself\n"
    )
