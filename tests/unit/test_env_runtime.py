"""Startup: variables scripts write to run/environment/, startup-only files removed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lightbase.env import collect_runtime, export, load, remove_startup_files
from lightbase.env.model import Overruled
from lightbase.errors import ConfigError
from lightbase.layout import Layout


def tree(root: Path, files: dict[str, str]) -> Layout:
    for relative, content in files.items():
        path = root / "environment" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return Layout.resolve({}, root=str(root))


@pytest.fixture
def layout(tmp_path) -> Layout:
    return tree(tmp_path, {"default.yaml": "A: 1\nB: 2\n"})


def exported(layout: Layout, process: dict[str, str] | None = None):
    env = load(layout, process or {})
    export(env, layout, warn=lambda message: None)
    return env


def test_nothing_written_means_nothing_changes(layout):
    env = exported(layout)
    assert collect_runtime(env, layout).as_dict() == {"A": "1", "B": "2"}


def test_new_file_defines_a_variable_from_runtime(layout):
    env = exported(layout)
    (layout.env_files_dir / "NEW").write_text("from script\n")
    after = collect_runtime(env, layout)
    assert after.as_dict() == {"A": "1", "B": "2", "NEW": "from script"}
    assert str(after["NEW"].source) == "run/environment/NEW (written by a startup script)"


def test_changed_file_replaces_the_value_and_remembers_the_old_source(layout):
    env = exported(layout)
    (layout.env_files_dir / "A").write_text("changed\r\n")
    after = collect_runtime(env, layout)
    assert after["A"].value == "changed"
    assert [(str(o.source), o.reason) for o in after.overruled("A")] == [
        ("environment/default.yaml:1", Overruled.REPLACED_AT_STARTUP)
    ]


def test_exported_value_ending_in_newline_is_not_taken_as_a_change(tmp_path):
    layout = tree(tmp_path, {"default.yaml": "A: |\n  text\n"})
    env = exported(layout)
    assert collect_runtime(env, layout)["A"].value == "text\n"


def test_deleted_file_removes_the_variable(layout):
    env = exported(layout)
    (layout.env_files_dir / "B").unlink()
    after = collect_runtime(env, layout)
    assert after.as_dict() == {"A": "1"}
    assert [o.reason for o in after.overruled("B")] == [Overruled.DELETED_AT_STARTUP]


def test_variable_without_a_file_name_is_not_taken_as_deleted(layout):
    env = exported(layout, {"a/b": "kept"})
    assert collect_runtime(env, layout).as_dict()["a/b"] == "kept"


def test_never_exported_directory_changes_nothing(layout):
    env = load(layout, {})
    assert collect_runtime(env, layout).as_dict() == {"A": "1", "B": "2"}


def test_runtime_value_is_decoded_and_explicit_files_beat_generated_rows(layout):
    env = exported(layout)
    (layout.env_files_dir / "L").write_text('#JSON2BASH:["a", "b"]')
    (layout.env_files_dir / "L_ROW_2").write_text("explicit")
    assert collect_runtime(env, layout).as_dict() == {
        "A": "1",
        "B": "2",
        "L": "#COMPLEX_BASH_ENV:TABLE: L_ROW_1 L_ROW_2",
        "L_ROW_1": "a",
        "L_ROW_2": "explicit",
    }


def test_runtime_value_with_nul_is_an_error_naming_the_file(layout):
    env = exported(layout)
    (layout.env_files_dir / "X").write_bytes(b"a\0b")
    with pytest.raises(ConfigError, match=r"^run/environment/X .*: X: the value contains a NUL"):
        collect_runtime(env, layout)


def test_hidden_and_backup_files_are_not_variables(layout):
    env = exported(layout)
    (layout.env_files_dir / ".tmp").write_text("x")
    (layout.env_files_dir / "A~").write_text("x")
    assert collect_runtime(env, layout).as_dict() == {"A": "1", "B": "2"}


def test_startup_variable_rewritten_by_a_script_is_kept_for_processes(tmp_path):
    layout = tree(tmp_path, {"x.startup.yaml": "S: secret\n"})
    env = exported(layout)
    (layout.env_files_dir / "S").write_text("derived")
    after = collect_runtime(env, layout)
    assert after.without_startup().as_dict() == {"S": "derived"}


def test_startup_sequence_removes_startup_variables_from_exports(tmp_path):
    layout = tree(tmp_path, {"x.startup.yaml": "S: secret\n", "default.yaml": "A: 1\n"})
    env = exported(layout)
    assert (layout.env_files_dir / "S").read_text() == "secret"
    env = collect_runtime(env, layout).without_startup()
    export(env, layout, warn=pytest.fail)
    assert os.listdir(layout.env_files_dir) == ["A"]
    assert "secret" not in layout.env_sh.read_text()
    assert "secret" not in layout.env_json.read_text()


# --- remove_startup_files ----------------------------------------------------------------


def test_startup_files_are_deleted_and_others_kept(tmp_path):
    layout = tree(
        tmp_path,
        {
            "default.yaml": "A: 1\n",
            "x.startup.yaml": "S: 1\n",
            "y.startup.yml": "T: 1\n",
            "z.startup.json": "{}",
            "startup/PW": "p",
            "startup/sub/more.yaml": "M: 1\n",
            "startup/.hidden": "not ours",
        },
    )
    remove_startup_files(layout, warn=pytest.fail)
    left = sorted(
        str(p.relative_to(layout.environment_dir)) for p in layout.environment_dir.rglob("*")
    )
    assert left == ["default.yaml", "startup", "startup/.hidden", "startup/sub"]


def test_startup_file_that_cannot_be_deleted_is_a_warning(tmp_path, monkeypatch):
    layout = tree(tmp_path, {"x.startup.yaml": "S: secret\n", "startup/PW": "p"})
    env = exported(layout)
    real_unlink = os.unlink
    protected = layout.environment_dir / "x.startup.yaml"

    def read_only_unlink(path, *args, **kwargs):
        if Path(path) == protected:
            raise PermissionError(30, "Read-only file system", str(path))
        return real_unlink(path, *args, **kwargs)

    monkeypatch.setattr(os, "unlink", read_only_unlink)
    warnings: list[str] = []
    remove_startup_files(layout, warn=warnings.append)
    assert warnings == [
        "cannot delete environment/x.startup.yaml (Read-only file system); its variables are "
        "still kept from the processes' environment"
    ]
    assert protected.exists()
    assert not (layout.environment_dir / "startup" / "PW").exists()
    assert env.without_startup().as_dict() == {}


def test_removing_startup_files_twice_is_quiet(tmp_path):
    layout = tree(tmp_path, {"x.startup.yaml": "S: 1\n"})
    remove_startup_files(layout, warn=pytest.fail)
    remove_startup_files(layout, warn=pytest.fail)
