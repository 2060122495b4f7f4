"""render/explain for `lightbase env`, and the secret values the log must redact."""

from __future__ import annotations

from pathlib import Path

import pytest

from lightbase.env import collect_runtime, explain, export, load, render
from lightbase.errors import LightbaseError
from lightbase.layout import Layout
from lightbase.log import DEFAULT_SECRET_WORDS, Redactor, secret_words


def tree(root: Path, files: dict[str, str]) -> Layout:
    for relative, content in files.items():
        path = root / "environment" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return Layout.resolve({}, root=str(root))


@pytest.fixture
def secret_file(tmp_path) -> Path:
    path = tmp_path / "pw"
    path.write_text("hunter2-from-file\n")
    return path


@pytest.fixture
def layout(tmp_path) -> Layout:
    return tree(
        tmp_path,
        {
            "01-custom/x.yaml": "MODE: custom\n",
            "99-default/x.yaml": (
                "MODE: default\nLDAP_ADMIN_PASSWORD: admin-default\n"
                "URL: ldap://x\nAPI_TOKEN: tok-123\n"
            ),
            "x.startup.yaml": "BOOT_SECRET: boot-only-value\n",
        },
    )


def test_secret_values_are_the_values_of_secret_names(layout, secret_file):
    env = load(layout, {"LDAP_ADMIN_PASSWORD_FILE": str(secret_file), "HOME": "/root"})
    assert sorted(env.secret_values(DEFAULT_SECRET_WORDS)) == [
        "boot-only-value",
        "hunter2-from-file",
        "tok-123",
    ]


def test_secret_words_can_be_replaced(layout):
    env = load(layout, {})
    assert env.secret_values(secret_words({"CONTAINER_SECRET_NAMES": "url"})) == ["ldap://x"]


def test_render_lists_sorted_lines_with_secrets_redacted(layout, secret_file):
    env = load(layout, {"LDAP_ADMIN_PASSWORD_FILE": str(secret_file), "MULTI": "a\nb\\c\t\x01"})
    redact = Redactor(env.secret_values(DEFAULT_SECRET_WORDS))
    assert render(env, redact) == (
        "API_TOKEN=***\n"
        "BOOT_SECRET=***\n"
        "LDAP_ADMIN_PASSWORD=***\n"
        "MODE=custom\n"
        "MULTI=a\\nb\\\\c\\t\\x01\n"
        "URL=ldap://x\n"
    )


def test_explain_names_the_file_and_line_and_the_shadowed_definitions(layout):
    env = load(layout, {})
    assert explain(env, "MODE", Redactor()) == (
        "MODE=custom\n"
        "  from: environment/01-custom/x.yaml:1\n"
        "  also defined in environment/99-default/x.yaml:1 (ignored: defined earlier)\n"
    )


def test_explain_file_reference_redacted(layout, secret_file):
    env = load(layout, {"LDAP_ADMIN_PASSWORD_FILE": str(secret_file)})
    redact = Redactor(env.secret_values(DEFAULT_SECRET_WORDS))
    assert explain(env, "LDAP_ADMIN_PASSWORD", redact) == (
        "LDAP_ADMIN_PASSWORD=***\n"
        f"  from: file {secret_file} (via LDAP_ADMIN_PASSWORD_FILE, process environment)\n"
        "  also defined in environment/99-default/x.yaml:2 (ignored: defined earlier)\n"
    )


def test_explain_process_environment_and_startup_only(layout):
    env = load(layout, {"MODE": "process"})
    assert explain(env, "MODE", Redactor()).splitlines()[:2] == [
        "MODE=process",
        "  from: process environment",
    ]
    assert explain(env, "BOOT_SECRET", Redactor(["boot-only-value"])) == (
        "BOOT_SECRET=***\n"
        "  from: environment/x.startup.yaml:1\n"
        "  startup only: removed from the processes' environment after startup\n"
    )


def test_explain_variable_deleted_by_a_startup_script(layout):
    env = load(layout, {})
    export(env, layout, warn=pytest.fail)
    (layout.env_files_dir / "URL").unlink()
    env = collect_runtime(env, layout)
    assert explain(env, "URL", Redactor()) == (
        "URL is not set\n"
        "  also defined in environment/99-default/x.yaml:3 (deleted by a startup script)\n"
    )


def test_explain_unknown_variable_is_an_error(layout):
    with pytest.raises(LightbaseError, match=r"^no variable NOPE in the environment$"):
        explain(load(layout, {}), "NOPE", Redactor())
