"""`python -m keyper.ldapinit check-password DIR`: later starts refuse a password that is not
the existing directory's, instead of serving an API that cannot bind."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyper.errors import ConfigError
from keyper.ldapinit import check_password, main, root_password_hashes
from keyper.passwords import ssha

from slapd import start_slapd

PASSWORD = "a&b/c|d\\e'\" :<x"


def test_the_password_of_a_real_slapd_configuration_is_accepted(tmp_path: Path) -> None:
    server = start_slapd(tmp_path, {"LDAP_DOMAIN": "check.test", "LDAP_ADMIN_PASSWORD": PASSWORD})
    server.stop()
    config_dir = tmp_path / "slapd.d"
    assert len(root_password_hashes(config_dir)) >= 1
    check_password({"LDAP_ADMIN_PASSWORD": PASSWORD}, config_dir)
    with pytest.raises(ConfigError) as caught:
        check_password({"LDAP_ADMIN_PASSWORD": "not-the-password"}, config_dir)
    assert str(caught.value).startswith(
        "LDAP_ADMIN_PASSWORD: not the password of the existing directory in "
    )


def test_a_folded_base64_root_password_is_read(tmp_path: Path) -> None:
    import base64

    encoded = base64.b64encode(ssha("pw-1234").encode()).decode()
    folded = encoded[:20] + "\n " + encoded[20:]
    database = tmp_path / "cn=config" / "olcDatabase={1}mdb.ldif"
    database.parent.mkdir()
    database.write_text(f"dn: olcDatabase={{1}}mdb\nolcRootPW:: {folded}\n")
    check_password({"LDAP_ADMIN_PASSWORD": "pw-1234"}, tmp_path)


def test_the_command_exits_78_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "cn=config" / "olcDatabase={1}mdb.ldif"
    database.parent.mkdir()
    database.write_text(f"olcRootPW: {ssha('right')}\n")
    monkeypatch.setenv("LDAP_ADMIN_PASSWORD", "wrong")
    assert main(["check-password", str(tmp_path)]) == 78
    assert capsys.readouterr().err == (
        f"keyper.ldapinit: LDAP_ADMIN_PASSWORD: not the password of the existing directory in "
        f"{tmp_path} (it is set at the first start; change it in LDAP, not here)\n"
    )
