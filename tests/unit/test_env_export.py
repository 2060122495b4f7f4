"""export(): environment.sh, environment/NAME, environment.json -- exact, private, atomic."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lightbase.env import Environment, Source, SourceKind, Variable, export
from lightbase.env.export import sh_quote
from lightbase.layout import Layout

PROCESS = Source(SourceKind.PROCESS)


def environment(values: dict[str, str]) -> Environment:
    return Environment(Variable(name, value, PROCESS) for name, value in values.items())


@pytest.fixture
def layout(tmp_path) -> Layout:
    return Layout.resolve({}, root=str(tmp_path / "container"))


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_environment_sh_is_sorted_single_quoted_exports(layout):
    export(environment({"B": "it's", "A": "x y"}), layout, warn=pytest.fail)
    assert layout.env_sh.read_text() == "export A='x y'\nexport B='it'\\''s'\n"


def test_per_variable_files_hold_the_exact_value(layout):
    export(environment({"A": "line\n", "B": ""}), layout, warn=pytest.fail)
    assert sorted(os.listdir(layout.env_files_dir)) == ["A", "B"]
    assert (layout.env_files_dir / "A").read_bytes() == b"line\n"
    assert (layout.env_files_dir / "B").read_bytes() == b""


def test_json_holds_every_variable(layout):
    export(environment({"B": "2", "A": "é\n"}), layout, warn=pytest.fail)
    assert json.loads(layout.env_json.read_text()) == {"A": "é\n", "B": "2"}


def test_files_are_0640_and_directory_0700_whatever_the_umask(layout):
    old = os.umask(0o000)
    try:
        export(environment({"A": "1"}), layout, warn=pytest.fail)
    finally:
        os.umask(old)
    assert mode(layout.env_sh) == 0o640
    assert mode(layout.env_json) == 0o640
    assert mode(layout.env_files_dir / "A") == 0o640
    assert mode(layout.env_files_dir) == 0o700


def test_existing_directory_and_file_modes_are_corrected(layout):
    layout.env_files_dir.mkdir(parents=True, mode=0o755)
    os.chmod(layout.env_files_dir, 0o755)
    (layout.env_files_dir / "A").write_text("1")
    os.chmod(layout.env_files_dir / "A", 0o644)
    export(environment({"A": "1"}), layout, warn=pytest.fail)
    assert mode(layout.env_files_dir) == 0o700
    assert mode(layout.env_files_dir / "A") == 0o640


def test_rewrite_replaces_files_instead_of_changing_them_in_place(layout):
    export(environment({"A": "old"}), layout, warn=pytest.fail)
    with layout.env_sh.open() as old_sh, (layout.env_files_dir / "A").open() as old_a:
        export(environment({"A": "new"}), layout, warn=pytest.fail)
        # A reader that had the file open still sees the complete old version.
        assert old_sh.read() == "export A='old'\n"
        assert old_a.read() == "old"
    assert layout.env_sh.read_text() == "export A='new'\n"
    assert (layout.env_files_dir / "A").read_text() == "new"


def test_unchanged_variable_file_is_not_rewritten(layout):
    export(environment({"A": "same", "B": "1"}), layout, warn=pytest.fail)
    inode = (layout.env_files_dir / "A").stat().st_ino
    export(environment({"A": "same", "B": "2"}), layout, warn=pytest.fail)
    assert (layout.env_files_dir / "A").stat().st_ino == inode


def test_files_of_variables_that_are_gone_are_removed(layout):
    export(environment({"A": "1", "B": "2"}), layout, warn=pytest.fail)
    export(environment({"B": "2"}), layout, warn=pytest.fail)
    assert os.listdir(layout.env_files_dir) == ["B"]
    assert layout.env_sh.read_text() == "export B='2'\n"


def test_no_temporary_files_are_left_and_stale_ones_are_cleaned(layout):
    layout.env_files_dir.mkdir(parents=True)
    stale = layout.env_files_dir / ".lightbase-A.1.0.tmp"
    stale.write_text("half")
    export(environment({"A": "1"}), layout, warn=pytest.fail)
    export(environment({"A": "1"}), layout, warn=pytest.fail)
    assert sorted(os.listdir(layout.run_dir)) == [
        "environment",
        "environment.json",
        "environment.sh",
    ]
    assert os.listdir(layout.env_files_dir) == ["A"]


def test_export_is_idempotent(layout):
    env = environment({"A": "1", "B": "x\ny"})
    export(env, layout, warn=pytest.fail)
    first = {p: p.read_bytes() for p in layout.run_dir.rglob("*") if p.is_file()}
    export(env, layout, warn=pytest.fail)
    assert {p: p.read_bytes() for p in layout.run_dir.rglob("*") if p.is_file()} == first


def test_name_that_is_not_a_shell_identifier_is_warned_about_and_left_out_of_sh(layout):
    warnings: list[str] = []
    export(environment({"a.b": "1", "x-y": "2", "OK": "3"}), layout, warn=warnings.append)
    assert warnings == [
        "variable 'a.b' is not a shell identifier: left out of environment.sh",
        "variable 'x-y' is not a shell identifier: left out of environment.sh",
    ]
    assert layout.env_sh.read_text() == "export OK='3'\n"
    assert json.loads(layout.env_json.read_text()) == {"OK": "3", "a.b": "1", "x-y": "2"}
    assert sorted(os.listdir(layout.env_files_dir)) == ["OK", "a.b", "x-y"]


def test_name_that_cannot_be_a_file_name_is_left_out_of_the_directory(layout):
    warnings: list[str] = []
    export(environment({"a/b": "1", ".hidden": "2"}), layout, warn=warnings.append)
    assert warnings == [
        "variable 'a/b' is not a shell identifier: left out of environment.sh and environment/",
        "variable '.hidden' is not a shell identifier: left out of environment.sh and environment/",
    ]
    assert os.listdir(layout.env_files_dir) == []
    assert json.loads(layout.env_json.read_text()) == {".hidden": "2", "a/b": "1"}


def test_bytes_that_are_not_utf8_are_written_unchanged(layout):
    value = os.fsdecode(b"\xff\xfe")
    export(environment({"B": value}), layout, warn=pytest.fail)
    assert (layout.env_files_dir / "B").read_bytes() == b"\xff\xfe"
    assert layout.env_sh.read_bytes() == b"export B='\xff\xfe'\n"
    assert json.loads(layout.env_json.read_text()) == {"B": value}


@pytest.mark.parametrize(
    ("value", "quoted"),
    [("", "''"), ("a", "'a'"), ("'", "''\\'''"), ("a'b'", "'a'\\''b'\\'''")],
)
def test_sh_quote(value, quoted):
    assert sh_quote(value) == quoted


# --- round trip through bash -------------------------------------------------------------

# Variables bash sets or reads itself; assigning them changes what bash does or is refused.
BASH_OWN = {
    "BASHOPTS", "SHELLOPTS", "EUID", "UID", "PPID", "RANDOM", "SRANDOM", "SECONDS", "LINENO",
    "FUNCNAME", "GROUPS", "HISTCMD", "DIRSTACK", "OPTIND", "OPTARG", "PIPESTATUS", "IFS",
    "POSIXLY_CORRECT", "PWD", "OLDPWD", "SHLVL", "EPOCHREALTIME", "EPOCHSECONDS", "COLUMNS",
    "LINES", "HISTFILE", "HISTSIZE", "ENV", "PS4", "_",
}  # fmt: skip
names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,12}", fullmatch=True).filter(
    lambda n: n not in BASH_OWN and not n.startswith("BASH") and not n.startswith("COMP_")
)
texts = st.text(st.characters(blacklist_characters="\0", blacklist_categories=("Cs",)))
tricky = st.sampled_from(["'", "''", "'\\''", "$(id)", "`id`", "$HOME", "\\", "\n", "\r\n", "!x"])
values = st.one_of(texts, st.lists(st.one_of(texts, tricky), max_size=6).map("".join))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(variables=st.dictionaries(names, values, min_size=1, max_size=12))
def test_environment_sh_round_trips_every_value_through_bash(tmp_path_factory, variables):
    layout = Layout.resolve({}, root=str(tmp_path_factory.mktemp("container")))
    export(environment(variables), layout, warn=pytest.fail)
    ordered = sorted(variables)
    script = 'source "$1" && printf "%s\\0" ' + " ".join(f'"${n}"' for n in ordered)
    result = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", script, "bash", str(layout.env_sh)],
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
        cwd=layout.root,  # if quoting ever broke, whatever the values run stays in a temp dir
        capture_output=True,
        check=True,
    )
    printed = result.stdout.split(b"\0")[:-1]
    assert [p.decode() for p in printed] == [variables[n] for n in ordered]
