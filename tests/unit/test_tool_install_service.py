"""install-service: install.sh scripts run in order at build time, fail loudly, then vanish."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lightbase.tools import install_service


def script(path: Path, body: str, executable: bool = True) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body)
    path.chmod(0o755 if executable else 0o644)
    return path


def call(capfd: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = install_service.main(list(args))
    out, err = capfd.readouterr()
    return code, out, re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", "TIME", err)


def test_runs_top_level_then_each_service_in_name_order_and_removes_them(
    tmp_path: Path, capfd
) -> None:
    log = tmp_path / "order"
    root = tmp_path / "container"
    record = f'#!/bin/sh\necho "$(basename "$PWD") $CONTAINER_ROOT" >> {log}\n'
    for where in ("service/install.sh", "service/web/install.sh", "service/db/install.sh"):
        script(root / where, record)
    (root / "service" / "empty").mkdir()
    code, out, err = call(capfd, "--root", str(root))
    assert (code, out) == (0, "")
    assert log.read_text() == f"service {root}\ndb {root}\nweb {root}\n"
    assert err == (
        "*** INFO    | TIME | install-service: running service/install.sh\n"
        "*** INFO    | TIME | install-service: running service/db/install.sh\n"
        "*** INFO    | TIME | install-service: running service/web/install.sh\n"
    )
    assert sorted(p.name for p in root.rglob("install.sh")) == []
    assert call(capfd, "--root", str(root))[0] == 0  # a second run finds nothing to do


def test_failing_script_stops_with_its_name_and_code_and_is_kept(tmp_path: Path, capfd) -> None:
    root = tmp_path / "container"
    script(root / "service/a/install.sh", "#!/bin/sh\nexit 0\n")
    script(root / "service/b/install.sh", "#!/bin/sh\necho broken >&2\nexit 7\n")
    script(root / "service/c/install.sh", "#!/bin/sh\nexit 0\n")
    code, _, err = call(capfd, "--root", str(root))
    assert code == 7
    assert err.splitlines()[-2:] == [
        "broken",
        "install-service: service/b/install.sh failed with exit code 7",
    ]
    assert not (root / "service/a/install.sh").exists()
    assert (root / "service/b/install.sh").exists()
    assert (root / "service/c/install.sh").exists()  # never ran


def test_killed_script_exits_128_plus_signal(tmp_path: Path, capfd) -> None:
    root = tmp_path / "container"
    script(root / "service/a/install.sh", "#!/bin/sh\nkill -9 $$\n")
    code, _, err = call(capfd, "--root", str(root))
    assert code == 137
    assert err.endswith("install-service: service/a/install.sh was killed by SIGKILL\n")


def test_script_without_mode_bit_runs_with_its_shebang_interpreter(tmp_path: Path, capfd) -> None:
    root = tmp_path / "container"
    out = tmp_path / "out"
    body = f'#!/bin/bash -e\nwords=(a b)\necho "${{#words[@]}} $BASH_VERSION" > {out}\n'
    script(root / "service/a/install.sh", body, executable=False)
    assert call(capfd, "--root", str(root))[0] == 0
    assert out.read_text().startswith("2 ")  # bash arrays worked: bash ran it


def test_keep_leaves_scripts_and_root_comes_from_environment(
    tmp_path: Path, capfd, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "container"
    script(root / "service/a/install.sh", "#!/bin/sh\n")
    monkeypatch.setenv("CONTAINER_ROOT", str(root))
    assert call(capfd, "--keep")[0] == 0
    assert (root / "service/a/install.sh").exists()


def test_no_service_directory_is_nothing_to_do(tmp_path: Path, capfd) -> None:
    code, _, err = call(capfd, "--root", str(tmp_path))
    assert code == 0
    assert err == f"*** INFO    | TIME | install-service: no install.sh under {tmp_path}/service\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--force",),
         "install-service: unexpected argument '--force' (see install-service --help)"),
        (("--root",), "install-service: option --root needs a value"),
    ],
)  # fmt: skip
def test_usage_errors_exit_2(capfd, args: tuple[str, ...], message: str) -> None:
    assert call(capfd, *args) == (2, "", message + "\n")
