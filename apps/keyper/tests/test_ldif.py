"""LDIF writing and the generator's output, without slapd."""

from __future__ import annotations

import base64

from keyper import ldif
from keyper.config import base_dn
from keyper.ldapinit import data_ldif
from keyper.passwords import check_ssha, ssha


def test_plain_ascii_value_is_written_as_is() -> None:
    assert ldif.attribute_line("cn", "alice") == "cn: alice"


def test_value_with_leading_colon_space_or_angle_is_base64() -> None:
    for value in (":x", " x", "<x", "x "):
        line = ldif.attribute_line("description", value)
        assert line == "description:: " + base64.b64encode(value.encode()).decode()


def test_value_with_newline_or_non_ascii_is_base64() -> None:
    assert ldif.attribute_line("o", "a\nb") == "o:: YQpi"
    assert ldif.attribute_line("o", "Société") == "o:: U29jacOpdMOp"


def test_shell_and_sed_specials_stay_plain_because_ldif_does_not_care() -> None:
    assert ldif.attribute_line("userPassword", "a&b/c|d\\e'\"") == "userPassword: a&b/c|d\\e'\""


def test_base_dn_from_domain() -> None:
    assert base_dn("keyper.example.org") == "dc=keyper,dc=example,dc=org"


def test_ssha_hash_verifies_and_is_salted() -> None:
    first, second = ssha("a&b/c|d\\e'\""), ssha("a&b/c|d\\e'\"")
    assert first.startswith("{SSHA}") and first != second
    assert check_ssha("a&b/c|d\\e'\"", first) and not check_ssha("wrong", first)


def test_data_ldif_holds_no_cleartext_password() -> None:
    text = data_ldif({"LDAP_DOMAIN": "x.test", "LDAP_ADMIN_PASSWORD": "cleartext-pw-1"})
    assert "cleartext-pw-1" not in text
    assert "dn: cn=KeyperAdmins,ou=groups,dc=x,dc=test" in text
    assert "member: cn=admin,ou=people,dc=x,dc=test" in text


def test_organization_with_newline_is_base64_in_data_ldif() -> None:
    text = data_ldif({"LDAP_ADMIN_PASSWORD": "pw-123456", "LDAP_ORGANIZATION_NAME": "A\nB"})
    assert "o:: QQpC" in text
