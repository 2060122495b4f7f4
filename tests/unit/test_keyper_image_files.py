"""The keyper image's environment defaults: each one documented and read by something."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
IMAGE = REPO / "images" / "keyper"
DEFAULTS = IMAGE / "container" / "environment" / "default.yaml"
DOC = REPO / "docs" / "keyper-image.md"


def defaults() -> dict[str, str]:
    loaded = yaml.load(DEFAULTS.read_text(), Loader=yaml.BaseLoader)  # scalars as written
    assert isinstance(loaded, dict)
    return loaded


def readers() -> str:
    """Everything that reads the variables: the image's scripts and the keyper package."""
    files = [p for p in IMAGE.rglob("*") if p.is_file() and p.suffix != ".yaml"]
    files += list((REPO / "apps" / "keyper" / "src" / "keyper").glob("*.py"))
    return "\n".join(p.read_text() for p in files)


def test_every_default_is_read_by_a_script_or_the_api() -> None:
    text = readers()
    unread = [name for name in defaults() if not re.search(rf"\b{name}\b", text)]
    assert unread == []


def test_every_default_is_in_the_documentation_table() -> None:
    first_cells = re.findall(r"^\| ([^|]+) \|", DOC.read_text(), flags=re.MULTILINE)
    rows = {name for cell in first_cells for name in re.findall(r"`([A-Z0-9_]+)`", cell)}
    assert [name for name in defaults() if name not in rows] == []


def test_shipped_password_is_the_one_startup_refuses() -> None:
    common = (IMAGE / "lib" / "common.sh").read_text()
    (refused,) = re.findall(r"^KEYPER_DEFAULT_ADMIN_PASSWORD=(\S+)$", common, flags=re.MULTILINE)
    assert defaults()["LDAP_ADMIN_PASSWORD"] == refused
    assert defaults()["KEYPER_DEV_MODE"] == "false"


def test_secrets_can_come_from_files() -> None:
    # lightbase reads NAME_FILE only for a NAME some source declares (docs/environment.md).
    assert "LDAP_ADMIN_PASSWORD" in defaults()
    assert defaults()["KEYPER_TOKEN_SECRET"] == ""
