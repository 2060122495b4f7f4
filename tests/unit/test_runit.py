"""The pure parts of `--supervisor runit`: which settings it ignores, the links, finding runit."""

from __future__ import annotations

import dataclasses
import signal
from pathlib import Path

import pytest

from lightbase.errors import ConfigError
from lightbase.services import Readiness, ReadyKind, Restart, Service, ServiceConfig
from lightbase.supervisor.runit import (
    LIGHTBASE_ONLY,
    find_runit,
    ignored_settings,
    link_services,
)


def config_fields() -> list[str]:
    fields = getattr(ServiceConfig, "_fields", None)  # a NamedTuple, should it become one
    return list(fields) if fields else [f.name for f in dataclasses.fields(ServiceConfig)]


def test_every_service_yaml_setting_is_known_to_be_ignored_under_runit() -> None:
    assert sorted(LIGHTBASE_ONLY) == sorted(config_fields())


def test_ignored_settings_name_only_what_differs_from_the_defaults() -> None:
    config = ServiceConfig(
        depends_on=("db",),
        ready=Readiness(kind=ReadyKind.TCP, port=80),
        critical=True,
        stop_signal=signal.SIGTERM,  # the default, written out: not reported
    )
    assert ignored_settings(config) == ["depends_on", "ready", "critical"]
    assert ignored_settings(ServiceConfig(restart=Restart.ALWAYS)) == ["restart"]
    assert ignored_settings(ServiceConfig()) == []


def service(root: Path, name: str, *scripts: str) -> Service:
    directory = root / "service" / name
    directory.mkdir(parents=True)
    paths = {script: directory / f"{script}.sh" for script in scripts}
    return Service(
        name=name, directory=directory, process=paths.get("process"), finish=paths.get("finish")
    )


def test_link_services_rebuilds_the_process_dir_from_scratch(tmp_path: Path) -> None:
    process_dir = tmp_path / "run" / "process"
    stale = process_dir / "web" / "supervise"
    stale.mkdir(parents=True)
    (stale / "pid").write_text("42\n")
    (process_dir / "removed-since").mkdir()
    web = service(tmp_path, "web", "process", "finish")
    db = service(tmp_path, "db", "process")
    lines = link_services(process_dir, [web, db], finish=True)
    assert sorted(p.name for p in process_dir.iterdir()) == ["db", "web"]
    assert sorted(p.name for p in (process_dir / "web").iterdir()) == ["finish", "run"]
    assert (process_dir / "web" / "run").readlink() == tmp_path / "service/web/process.sh"
    assert (process_dir / "web" / "finish").readlink() == tmp_path / "service/web/finish.sh"
    assert [p.name for p in (process_dir / "db").iterdir()] == ["run"]
    assert lines == [
        f"link {tmp_path}/service/web/process.sh to {process_dir}/web/run",
        f"link {tmp_path}/service/web/finish.sh to {process_dir}/web/finish",
        f"link {tmp_path}/service/db/process.sh to {process_dir}/db/run",
    ]


def test_link_services_leaves_finish_out_when_finish_scripts_are_skipped(tmp_path: Path) -> None:
    process_dir = tmp_path / "process"
    link_services(process_dir, [service(tmp_path, "web", "process", "finish")], finish=False)
    assert [p.name for p in (process_dir / "web").iterdir()] == ["run"]


def test_find_runit_names_the_missing_programs_and_the_package(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        find_runit({"PATH": str(tmp_path)})
    assert caught.value.exit_code == 78
    assert str(caught.value) == (
        "--supervisor runit: runsvdir, runsv and sv not found on PATH; install runit "
        "(Debian/Ubuntu: apt-get install runit; Alpine: apk add runit)"
    )


def test_find_runit_needs_runsv_and_sv_too(tmp_path: Path) -> None:
    for name in ("runsvdir", "sv"):
        (tmp_path / name).write_text("#!/bin/sh\n")
        (tmp_path / name).chmod(0o755)
    with pytest.raises(ConfigError, match="runit: runsv not found on PATH"):
        find_runit({"PATH": str(tmp_path)})
    (tmp_path / "runsv").write_text("#!/bin/sh\n")
    (tmp_path / "runsv").chmod(0o755)
    assert find_runit({"PATH": str(tmp_path)}) == {
        name: tmp_path / name for name in ("runsvdir", "runsv", "sv")
    }
