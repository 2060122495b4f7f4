"""Where everything lives, and which of option, environment variable and default wins."""

from __future__ import annotations

from pathlib import Path

import pytest

from lightbase.layout import Layout


def test_defaults_put_everything_under_slash_container() -> None:
    layout = Layout.resolve({})
    assert layout == Layout(
        Path("/container"), Path("/container/run"), Path("/container/run/state")
    )


def test_every_path_of_the_default_layout() -> None:
    layout = Layout.resolve({})
    assert {
        "environment_dir": layout.environment_dir,
        "service_dir": layout.service_dir,
        "service_available_dir": layout.service_available_dir,
        "tool_dir": layout.tool_dir,
        "env_sh": layout.env_sh,
        "env_files_dir": layout.env_files_dir,
        "env_json": layout.env_json,
        "control_socket": layout.control_socket,
        "copied_service_dir": layout.copied_service_dir,
        "process_dir": layout.process_dir,
        "first_startup_done": layout.first_startup_done,
        "startup_done": layout.startup_done,
    } == {
        "environment_dir": Path("/container/environment"),
        "service_dir": Path("/container/service"),
        "service_available_dir": Path("/container/service-available"),
        "tool_dir": Path("/container/tool"),
        "env_sh": Path("/container/run/environment.sh"),
        "env_files_dir": Path("/container/run/environment"),
        "env_json": Path("/container/run/environment.json"),
        "control_socket": Path("/container/run/control.sock"),
        "copied_service_dir": Path("/container/run/service"),
        "process_dir": Path("/container/run/process"),
        "first_startup_done": Path("/container/run/state/first-startup-done"),
        "startup_done": Path("/container/run/state/startup-done"),
    }


def test_container_root_relocates_the_root_and_the_run_dir_below_it() -> None:
    layout = Layout.resolve({"CONTAINER_ROOT": "/srv/c"})
    assert layout == Layout(Path("/srv/c"), Path("/srv/c/run"), Path("/srv/c/run/state"))


def test_root_option_beats_container_root() -> None:
    layout = Layout.resolve({"CONTAINER_ROOT": "/from/env"}, root="/from/option")
    assert layout.root == Path("/from/option")
    assert layout.run_dir == Path("/from/option/run")


def test_container_run_dir_relocates_the_run_dir_alone() -> None:
    layout = Layout.resolve({"CONTAINER_ROOT": "/ro", "CONTAINER_RUN_DIR": "/tmp/run"})
    assert layout == Layout(Path("/ro"), Path("/tmp/run"), Path("/tmp/run/state"))
    assert layout.environment_dir == Path("/ro/environment")
    assert layout.env_sh == Path("/tmp/run/environment.sh")


def test_run_dir_option_beats_container_run_dir() -> None:
    layout = Layout.resolve({"CONTAINER_RUN_DIR": "/from/env"}, run_dir="/from/option")
    assert layout.run_dir == Path("/from/option")
    assert layout.state_dir == Path("/from/option/state")


def test_container_state_dir_relocates_the_state_dir_alone() -> None:
    layout = Layout.resolve({"CONTAINER_STATE_DIR": "/data/state"}, root="/c", run_dir="/r")
    assert layout == Layout(Path("/c"), Path("/r"), Path("/data/state"))
    assert layout.first_startup_done == Path("/data/state/first-startup-done")


def test_empty_variables_mean_the_default() -> None:
    environ = {"CONTAINER_ROOT": "", "CONTAINER_RUN_DIR": "", "CONTAINER_STATE_DIR": ""}
    assert Layout.resolve(environ) == Layout.resolve({})


def test_relative_paths_are_made_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    layout = Layout.resolve({"CONTAINER_STATE_DIR": "st"}, root="tree", run_dir="rn")
    assert layout == Layout(tmp_path / "tree", tmp_path / "rn", tmp_path / "st")


def test_resolve_reads_the_process_environment_by_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CONTAINER_ROOT", "/from/process")
    monkeypatch.delenv("CONTAINER_RUN_DIR", raising=False)
    monkeypatch.delenv("CONTAINER_STATE_DIR", raising=False)
    assert Layout.resolve().root == Path("/from/process")


def test_variables_tell_scripts_the_three_directories() -> None:
    layout = Layout.resolve({"CONTAINER_STATE_DIR": "/s"}, root="/c", run_dir="/r")
    assert layout.variables() == {
        "CONTAINER_ROOT": "/c",
        "CONTAINER_RUN_DIR": "/r",
        "CONTAINER_STATE_DIR": "/s",
    }
