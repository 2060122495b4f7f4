"""`user:` values -> the credentials a service runs with (looked up on this machine's Debian
passwd and group files: root, nobody, nogroup, users)."""

from __future__ import annotations

import pytest

from lightbase.errors import LightbaseError
from lightbase.users import Credentials, resolve


def test_root_by_name_and_by_number() -> None:
    expected = Credentials(0, 0, (0,), "/root", "root", "/bin/bash")
    assert resolve("root") == expected
    assert resolve("0") == expected


def test_nobody() -> None:
    assert resolve("nobody") == Credentials(
        65534, 65534, (65534,), "/nonexistent", "nobody", "/usr/sbin/nologin"
    )


def test_a_numeric_uid_without_a_passwd_entry_gets_home_slash() -> None:
    assert resolve("12345") == Credentials(12345, 12345, (12345,), "/", "12345", "/bin/sh")


def test_a_numeric_uid_with_a_group() -> None:
    assert resolve("12345:100") == Credentials(12345, 100, (100,), "/", "12345", "/bin/sh")
    assert resolve("12345:nogroup").gid == 65534


def test_user_and_group_by_name() -> None:
    creds = resolve("root:users")
    assert (creds.uid, creds.gid, creds.name, creds.home) == (0, 100, "root", "/root")
    assert 100 in creds.groups


def test_user_and_numeric_group() -> None:
    assert resolve("nobody:4321").gid == 4321


def test_environment_of_a_login() -> None:
    assert resolve("nobody").environment() == {
        "HOME": "/nonexistent",
        "USER": "nobody",
        "LOGNAME": "nobody",
        "SHELL": "/usr/sbin/nologin",
    }


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("no-such-user", "unknown user 'no-such-user'"),
        ("no-such-user:users", "unknown user 'no-such-user'"),
        ("root:no-such-group", "unknown group 'no-such-group'"),
        ("12345:no-such-group", "unknown group 'no-such-group'"),
        ("", "invalid user '': expected USER, UID, USER:GROUP or UID:GID"),
        (":users", "invalid user ':users': expected USER, UID, USER:GROUP or UID:GID"),
    ],
)
def test_unknown_users_and_groups_are_named(spec: str, message: str) -> None:
    with pytest.raises(LightbaseError) as caught:
        resolve(spec)
    assert str(caught.value) == message
