"""load(): sources, precedence, formats, NAME_FILE references, startup-only files, errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lightbase.env import Environment, Source, SourceKind, load
from lightbase.errors import ConfigError
from lightbase.layout import Layout

T = "#COMPLEX_BASH_ENV:TABLE:"


def tree(root: Path, files: dict[str, str | bytes]) -> Layout:
    """A container root whose environment/ holds `files` (relative path -> content)."""
    for relative, content in files.items():
        path = root / "environment" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode() if isinstance(content, str) else content
        path.write_bytes(data)
    return Layout.resolve({}, root=str(root))


def load_values(layout: Layout, process: dict[str, str] | None = None) -> dict[str, str]:
    return load(layout, process or {}).as_dict()


def load_error(layout: Layout, process: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as caught:
        load(layout, process or {})
    return str(caught.value)


# --- precedence and order ---------------------------------------------------------------


def test_process_environment_beats_files(tmp_path):
    layout = tree(tmp_path, {"default.yaml": "A: file\nB: file\n"})
    assert load_values(layout, {"A": "process"}) == {"A": "process", "B": "file"}


def test_first_file_in_lexicographic_order_wins(tmp_path):
    # Created in the opposite order, so the filesystem's order would give the other answer.
    layout = tree(
        tmp_path,
        {"99-default/x.yaml": "A: default\nB: default\n", "01-custom/x.yaml": "A: custom\n"},
    )
    assert load_values(layout) == {"A": "custom", "B": "default"}


def test_order_is_by_code_point_not_locale(tmp_path):
    layout = tree(tmp_path, {"b.yaml": "A: lower-b\n", "B.yaml": "A: upper-B\n"})
    assert load_values(layout) == {"A": "upper-B"}


def test_order_compares_path_components(tmp_path):
    # "a/x.yaml" sorts before "a-b.yaml" component by component ("a" < "a-b.yaml");
    # a plain string comparison would put "a-b.yaml" first ('-' < '/').
    layout = tree(tmp_path, {"a-b.yaml": "A: a-b\n", "a/x.yaml": "A: a/x\n"})
    assert load_values(layout) == {"A": "a/x"}


def test_nested_directories_are_read_recursively_in_order(tmp_path):
    layout = tree(
        tmp_path,
        {
            "10/20/deep.yaml": "A: deep\n",
            "10/30.yaml": "A: shallow\nB: shallow\n",
            "05.json": '{"C": "json"}',
        },
    )
    env = load(layout, {})
    assert env.as_dict() == {"C": "json", "A": "deep", "B": "shallow"}
    assert str(env["A"].source) == "environment/10/20/deep.yaml:1"


def test_shadowed_definitions_are_remembered(tmp_path):
    layout = tree(tmp_path, {"01/x.yaml": "A: 1\n", "99/x.yaml": "\n\nA: 2\n"})
    env = load(layout, {"A": "0"})
    assert [str(o.source) for o in env.overruled("A")] == [
        "environment/01/x.yaml:1",
        "environment/99/x.yaml:3",
    ]


def test_skip_files_reads_only_the_process_environment(tmp_path):
    layout = tree(tmp_path, {"default.yaml": "A: file\n", "broken.yaml": "[\n"})
    assert load(layout, {"P": "1"}, skip_files=True).as_dict() == {"P": "1"}


def test_missing_environment_directory_is_no_files(tmp_path):
    assert load_values(Layout.resolve({}, root=str(tmp_path)), {"P": "1"}) == {"P": "1"}


# --- formats ---------------------------------------------------------------------------


def test_yaml_yml_json_and_plain_files(tmp_path):
    layout = tree(
        tmp_path,
        {
            "a.yaml": "A: 0755\n",
            "b.yml": "B: 1.50\n",
            "c.json": '{"C": 1e3}',
            "D": "plain value\n",
        },
    )
    assert load_values(layout) == {"A": "0755", "B": "1.50", "C": "1e3", "D": "plain value"}


@pytest.mark.parametrize(
    ("content", "value"),
    [
        (b"v", "v"),
        (b"v\n", "v"),
        (b"v\r\n", "v"),
        (b"v\n\n", "v\n"),
        (b"a\nb\n", "a\nb"),
        (b"", ""),
        (b"\n", ""),
        (b" spaced \n", " spaced "),
    ],
)
def test_plain_file_loses_one_trailing_newline(tmp_path, content, value):
    layout = tree(tmp_path, {"NAME": content})
    env = load(layout, {})
    assert env.as_dict() == {"NAME": value}
    assert str(env["NAME"].source) == "environment/NAME"


def test_plain_file_keeps_bytes_that_are_not_utf8(tmp_path):
    layout = tree(tmp_path, {"BIN": b"\xff\xfe"})
    assert os.fsencode(load_values(layout)["BIN"]) == b"\xff\xfe"


@pytest.mark.parametrize(
    "ignored",
    [".hidden.yaml", "x.yaml~", ".x.yaml.swp", "x.yaml.swp", "x.yaml.swo", "#x.yaml#", ".git/A"],
)
def test_hidden_files_and_editor_backups_are_ignored(tmp_path, ignored):
    layout = tree(tmp_path, {ignored: "[broken\n", "ok.yaml": "A: 1\n"})
    assert load_values(layout) == {"A": "1"}


def test_kubernetes_configmap_links_are_followed_and_internals_ignored(tmp_path):
    layout = tree(tmp_path, {"..2024_01_01/default.yaml": "A: from-configmap\n"})
    env_dir = layout.environment_dir
    (env_dir / "..data").symlink_to("..2024_01_01")
    (env_dir / "default.yaml").symlink_to("..data/default.yaml")
    env = load(layout, {})
    assert env.as_dict() == {"A": "from-configmap"}
    assert str(env["A"].source) == "environment/default.yaml:1"


def test_file_named_like_no_variable_is_an_error(tmp_path):
    layout = tree(tmp_path, {"README.md": "docs\n"})
    assert load_error(layout).startswith("environment/README.md: not an environment file")


def test_dangling_link_is_an_error_naming_the_file(tmp_path):
    layout = tree(tmp_path, {})
    layout.environment_dir.mkdir(parents=True)
    (layout.environment_dir / "gone.yaml").symlink_to("nowhere.yaml")
    assert load_error(layout) == "environment/gone.yaml: cannot read: No such file or directory"


def test_complex_values_from_files_come_with_their_line(tmp_path):
    layout = tree(tmp_path, {"default.yaml": "A: 1\nHOSTS:\n  - a\n  - {b: 2}\n"})
    env = load(layout, {})
    assert env.as_dict() == {
        "A": "1",
        "HOSTS": f"{T} HOSTS_ROW_1 HOSTS_ROW_2",
        "HOSTS_ROW_1": "a",
        "HOSTS_ROW_2": "#COMPLEX_BASH_ENV:ROW: HOSTS_ROW_2_KEY HOSTS_ROW_2_VALUE",
        "HOSTS_ROW_2_KEY": "b",
        "HOSTS_ROW_2_VALUE": "2",
    }
    assert {str(env[n].source) for n in env if n.startswith("HOSTS")} == {
        "environment/default.yaml:2"
    }


def test_complex_value_is_decided_by_its_name_as_a_whole(tmp_path):
    layout = tree(tmp_path, {"default.yaml": "L: [a, b]\n"})
    assert load_values(layout, {"L": "scalar"}) == {"L": "scalar"}


def test_generated_row_defined_earlier_keeps_the_earlier_value(tmp_path):
    layout = tree(tmp_path, {"default.yaml": "L: [a, b]\n"})
    assert load_values(layout, {"L_ROW_1": "process"}) == {
        "L_ROW_1": "process",
        "L": f"{T} L_ROW_1 L_ROW_2",
        "L_ROW_2": "b",
    }


def test_generated_row_colliding_in_one_file_is_an_error(tmp_path):
    layout = tree(tmp_path, {"default.yaml": "L: [a]\nL_ROW_1: b\n"})
    assert load_error(layout) == (
        "environment/default.yaml:2: both L and L_ROW_1 define L_ROW_1; set only one"
    )


def test_marked_values_from_the_process_environment_are_decoded(tmp_path):
    layout = tree(tmp_path, {})
    assert load_values(layout, {"J": "#JSON2BASH:[1.0]", "P": "#PYTHON2BASH:{'k': 'v'}"}) == {
        "J": f"{T} J_ROW_1",
        "J_ROW_1": "1.0",
        "P": "#COMPLEX_BASH_ENV:ROW: P_KEY P_VALUE",
        "P_KEY": "k",
        "P_VALUE": "v",
    }


def test_marked_value_in_a_file_is_decoded(tmp_path):
    layout = tree(tmp_path, {"default.yaml": "J: '#JSON2BASH:{\"a\": [1]}'\n"})
    assert load_values(layout) == {
        "J": "#COMPLEX_BASH_ENV:ROW: J_KEY J_VALUE",
        "J_KEY": "a",
        "J_VALUE": f"{T} J_VALUE_ROW_1",
        "J_VALUE_ROW_1": "1",
    }


def test_undecodable_marked_value_is_an_error_naming_the_variable(tmp_path):
    layout = tree(tmp_path, {"default.yaml": "A: 1\nJ: '#JSON2BASH:[1,'\n"})
    assert load_error(layout).startswith(
        "environment/default.yaml:2: J: cannot decode #JSON2BASH: value"
    )
    assert load_error(tree(tmp_path / "p", {}), {"P": "#PYTHON2BASH:["}).startswith(
        "process environment: P: cannot decode #PYTHON2BASH: value"
    )


# --- broken files ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("default.yaml", "A: 1\nB: [\n", "environment/default.yaml:3: cannot parse YAML"),
        ("default.yaml", "- a\n", "environment/default.yaml:1: top level must be a mapping"),
        ("default.yaml", "A: 1\n[x]: 2\n", "environment/default.yaml:2: a key must be a name"),
        ("default.yaml", "A: 1\nB: 2\nA: 3\n", "environment/default.yaml:3: duplicate key 'A'"),
        ("sub/x.yml", "A: !!python/object:os.system x\n", "environment/sub/x.yml:1: tag"),
        ("d.json", '{"A": 1,\n"A": 2}', "environment/d.json:2: duplicate key 'A'"),
        ("d.json", "[1]", "environment/d.json:1: top level must be an object"),
        ("d.json", '{"A": 1,\n\n}', "environment/d.json:3: cannot parse JSON"),
        ("x.yaml", b"A: 1\nB: \xff\n", "environment/x.yaml:2: not UTF-8 text"),
        ("x.yaml", '"A=B": 1\n', "environment/x.yaml:1: 'A=B' cannot be a variable name"),
        ("x.yaml", 'A: "a\\0b"\n', "environment/x.yaml:1: A: the value contains a NUL byte"),
        ("NULL", b"a\0b", "environment/NULL: NULL: the value contains a NUL byte"),
    ],
)
def test_broken_file_is_an_error_with_file_and_line(tmp_path, name, content, message):
    layout = tree(tmp_path, {"00-good.yaml": "GOOD: 1\n", name: content})
    assert load_error(layout).startswith(message)


def test_broken_file_is_an_error_even_when_its_values_would_be_shadowed(tmp_path):
    layout = tree(tmp_path, {"99-default.yaml": "A: 1\nA: 2\n"})
    assert load_error(layout, {"A": "process"}).startswith("environment/99-default.yaml:2:")


def test_value_too_long_for_exec_is_an_error(tmp_path):
    layout = tree(tmp_path, {"BIG": "x" * 131072})
    assert load_error(layout).startswith("environment/BIG: BIG: the value is too long")


def test_bom_at_start_of_yaml_is_accepted(tmp_path):
    layout = tree(tmp_path, {"x.yaml": b"\xef\xbb\xbfA: 1\n"})
    assert load_values(layout) == {"A": "1"}


# --- NAME_FILE references ----------------------------------------------------------------


@pytest.fixture
def secret(tmp_path) -> Path:
    path = tmp_path / "secrets" / "password"
    path.parent.mkdir()
    path.write_bytes(b"s3cret-from-file\r\n")
    return path


def test_process_file_reference_beats_default_in_file(tmp_path, secret):
    """The Kubernetes case: `-e LDAP_ADMIN_PASSWORD_FILE=/run/secrets/p` over default.yaml."""
    layout = tree(tmp_path, {"default.yaml": "LDAP_ADMIN_PASSWORD: admin\n"})
    env = load(layout, {"LDAP_ADMIN_PASSWORD_FILE": str(secret)})
    assert env.as_dict() == {"LDAP_ADMIN_PASSWORD": "s3cret-from-file"}
    assert env["LDAP_ADMIN_PASSWORD"].source == Source(
        SourceKind.FILE_REFERENCE,
        secret,
        via="LDAP_ADMIN_PASSWORD_FILE",
        origin=Source(SourceKind.PROCESS),
    )
    assert str(env["LDAP_ADMIN_PASSWORD"].source) == (
        f"file {secret} (via LDAP_ADMIN_PASSWORD_FILE, process environment)"
    )


def test_file_reference_in_a_file_follows_file_order(tmp_path, secret):
    layout = tree(
        tmp_path,
        {"01-custom.yaml": f"PW_FILE: {secret}\n", "99-default.yaml": "PW: default\n"},
    )
    env = load(layout, {})
    assert env.as_dict() == {"PW": "s3cret-from-file"}
    assert str(env["PW"].source) == f"file {secret} (via PW_FILE, environment/01-custom.yaml:1)"


def test_plain_value_earlier_beats_a_later_file_reference(tmp_path):
    # The reference loses, so its (missing) file is never read.
    layout = tree(tmp_path, {"default.yaml": "PW: default\nOTHER: 1\n", "z.yaml": "PW_FILE: /no\n"})
    assert load_values(layout, {"PW": "process"}) == {"PW": "process", "OTHER": "1"}


def test_name_file_without_declared_name_is_an_ordinary_variable(tmp_path):
    layout = tree(tmp_path, {"default.yaml": "SSH_CA_KRL_FILE: ca_krl\n"})
    env = load(layout, {"SSL_CERT_FILE": "/etc/ssl/missing.pem"})
    assert env.as_dict() == {"SSL_CERT_FILE": "/etc/ssl/missing.pem", "SSH_CA_KRL_FILE": "ca_krl"}


def test_name_and_name_file_in_the_process_environment_is_an_error(tmp_path, secret):
    layout = tree(tmp_path, {})
    assert load_error(layout, {"PW": "x", "PW_FILE": str(secret)}) == (
        "process environment: both PW and PW_FILE define PW; set only one"
    )


def test_name_and_name_file_in_one_file_is_an_error(tmp_path, secret):
    layout = tree(tmp_path, {"default.yaml": f"PW_FILE: {secret}\nA: 1\nPW: x\n"})
    assert load_error(layout) == (
        "environment/default.yaml:3: both PW and PW_FILE define PW; set only one"
    )


def test_missing_referenced_file_is_an_error_naming_variable_and_path(tmp_path):
    layout = tree(tmp_path, {"default.yaml": "PW: default\n"})
    assert load_error(layout, {"PW_FILE": "/run/secrets/absent"}) == (
        "process environment: PW_FILE: cannot read /run/secrets/absent: No such file or directory"
    )


def test_referenced_directory_is_an_error(tmp_path):
    layout = tree(tmp_path, {"default.yaml": "PW: default\n"})
    assert load_error(layout, {"PW_FILE": str(tmp_path)}) == (
        f"process environment: PW_FILE: cannot read {tmp_path}: Is a directory"
    )


def test_relative_reference_is_an_error(tmp_path):
    layout = tree(tmp_path, {"default.yaml": "PW: default\nPW_FILE_FILE: x\n", "z.yaml": ""})
    assert load_error(layout, {"PW_FILE": "secrets/pw"}) == (
        "process environment: PW_FILE: 'secrets/pw' is not an absolute path"
    )


def test_reference_that_is_a_list_is_an_error(tmp_path):
    layout = tree(tmp_path, {"default.yaml": "PW: default\n", "x.yaml": "PW_FILE: [a]\n"})
    assert load_error(layout) == "environment/x.yaml:1: PW_FILE: a file reference must be a path"


def test_referenced_content_is_decoded_like_any_value(tmp_path):
    path = tmp_path / "list.json"
    path.write_text('#JSON2BASH:["a"]\n')
    layout = tree(tmp_path, {"default.yaml": "L: []\n"})
    assert load_values(layout, {"L_FILE": str(path)}) == {"L": f"{T} L_ROW_1", "L_ROW_1": "a"}


# --- startup-only ------------------------------------------------------------------------


def test_startup_files_mark_their_variables_startup_only(tmp_path, secret):
    layout = tree(
        tmp_path,
        {
            "a.startup.yaml": "A: 1\nPW: default\n",
            "b.startup.yml": "B: 1\n",
            "c.startup.json": '{"C": "1"}',
            "startup/D": "1\n",
            "startup/sub/e.yaml": "E: [x]\n",
            "startup.yaml": "F: not-startup-only\n",
            "z.yaml": f"PW_FILE: {secret}\n",
        },
    )
    env = load(layout, {"G": "process"})
    startup = sorted(n for n, v in env.items() if v.startup_only)
    assert startup == ["A", "B", "C", "D", "E", "E_ROW_1", "PW"]
    assert env.without_startup().as_dict() == {"G": "process", "F": "not-startup-only"}
    assert env.as_dict(include_startup=False) == {"G": "process", "F": "not-startup-only"}


def test_startup_file_shadowed_by_the_process_environment_is_not_startup_only(tmp_path):
    layout = tree(tmp_path, {"x.startup.yaml": "A: file\n"})
    env = load(layout, {"A": "process"})
    assert env["A"].startup_only is False


def test_environment_is_immutable_mapping(tmp_path):
    env = load(tree(tmp_path, {"x.yaml": "A: hunter2\n"}), {})
    assert isinstance(env, Environment)
    with pytest.raises(TypeError):
        env["A"] = env["A"]  # type: ignore[index]
    assert "hunter2" not in repr(env) and "hunter2" not in repr(env["A"])


def test_environment_that_is_not_a_directory_is_an_error(tmp_path):
    (tmp_path / "environment").write_text("oops")
    layout = Layout.resolve({}, root=str(tmp_path))
    assert load_error(layout) == "environment: cannot read: Not a directory"


def test_value_that_is_not_text_is_an_error(tmp_path):
    layout = tree(tmp_path, {})
    assert load_error(layout, {"P": "#PYTHON2BASH:['\\ud800']"}) == (
        "process environment: P_ROW_1: not valid text (a lone surrogate)"
    )


def test_directory_link_loop_is_read_once(tmp_path):
    layout = tree(tmp_path, {"sub/x.yaml": "A: 1\n"})
    (layout.environment_dir / "sub" / "loop").symlink_to("..")
    assert load_values(layout) == {"A": "1"}


def test_a_fifo_in_the_environment_dir_is_an_error_not_a_hang(tmp_path: Path) -> None:
    import os

    from lightbase.env import load
    from lightbase.errors import ConfigError
    from lightbase.layout import Layout

    layout = Layout.resolve({}, root=str(tmp_path))
    layout.environment_dir.mkdir()
    os.mkfifo(layout.environment_dir / "FIFO")
    with pytest.raises(ConfigError) as caught:
        load(layout, {})
    assert str(caught.value) == "environment/FIFO: not a regular file"
