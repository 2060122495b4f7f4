"""setuser: real user switches (as root), the environment it sets, its exit codes."""

from __future__ import annotations

import os
import pwd
import subprocess
import sys
from pathlib import Path

import pytest

from lightbase.errors import LightbaseError, UsageError
from lightbase.tools.setuser import UserSpec

BIN = Path(sys.executable).parent
as_root = pytest.mark.skipif(os.geteuid() != 0, reason="switching users needs root")

NOBODY = pwd.getpwnam("nobody")


def setuser(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "setuser"), *args],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": "/root", "USER": "root", **(env or {})},
        check=False,
    )


def test_resolve_name_takes_ids_home_and_shell_from_passwd() -> None:
    spec = UserSpec.resolve("nobody")
    assert spec == UserSpec(
        uid=NOBODY.pw_uid,
        gid=NOBODY.pw_gid,
        name="nobody",
        home=NOBODY.pw_dir,
        shell=NOBODY.pw_shell,
    )
    assert spec.environment() == {
        "HOME": NOBODY.pw_dir,
        "USER": "nobody",
        "LOGNAME": "nobody",
        "SHELL": NOBODY.pw_shell,
    }


def test_resolve_numeric_uid_without_passwd_entry() -> None:
    spec = UserSpec.resolve("12345")
    assert spec == UserSpec(uid=12345, gid=0, name=None, home="/", shell=None)
    assert spec.environment() == {"HOME": "/", "USER": "12345", "LOGNAME": "12345"}


def test_resolve_numeric_uid_with_passwd_entry_uses_it() -> None:
    assert UserSpec.resolve(str(NOBODY.pw_uid)).name == "nobody"


def test_resolve_group_by_name_and_number() -> None:
    assert UserSpec.resolve("12345:root").gid == 0
    assert UserSpec.resolve("nobody:4321").gid == 4321


@pytest.mark.parametrize(
    ("spec", "error", "message"),
    [
        ("no-such-user", LightbaseError, "unknown user 'no-such-user' (no passwd entry)"),
        ("nobody:no-such-group", LightbaseError, "unknown group 'no-such-group' (no group entry)"),
        ("", UsageError, "invalid user '' (expected USER, UID, USER:GROUP or UID:GID)"),
        ("nobody:", UsageError,
         "invalid user 'nobody:' (expected USER, UID, USER:GROUP or UID:GID)"),
        (":0", UsageError, "invalid user ':0' (expected USER, UID, USER:GROUP or UID:GID)"),
    ],
)  # fmt: skip
def test_resolve_rejects_unknown_or_malformed(spec: str, error: type, message: str) -> None:
    with pytest.raises(error) as caught:
        UserSpec.resolve(spec)
    assert str(caught.value) == message


@as_root
def test_runs_command_as_named_user_with_its_groups_and_environment() -> None:
    result = setuser("nobody", "sh", "-c", 'id -u; id -g; id -G; echo "$HOME $USER $LOGNAME"')
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == (
        f"{NOBODY.pw_uid}\n{NOBODY.pw_gid}\n{NOBODY.pw_gid}\n{NOBODY.pw_dir} nobody nobody\n"
    )


@as_root
def test_numeric_uid_without_passwd_entry_runs_with_group_0_and_home_root() -> None:
    result = setuser("12345", "sh", "-c", 'id -u; id -g; id -G; echo "$HOME $USER $LOGNAME"')
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "12345\n0\n0\n/ 12345 12345\n"


@as_root
def test_group_option_replaces_primary_group_and_root_groups_are_dropped() -> None:
    result = setuser("12345:4321", "sh", "-c", "id -u; id -g; id -G")
    assert result.stdout == "12345\n4321\n4321\n"


@as_root
def test_arguments_reach_the_command_unchanged() -> None:
    result = setuser("nobody", "printf", "[%s]\\n", "a b", "*", "$HOME")
    assert result.stdout == "[a b]\n[*]\n[$HOME]\n"


@as_root
def test_command_exit_code_is_passed_on() -> None:
    assert setuser("nobody", "sh", "-c", "exit 42").returncode == 42


@as_root
@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("no-such-user", "id"), 1, "setuser: unknown user 'no-such-user' (no passwd entry)"),
        (("nobody", "no-such-command"), 127, "setuser: no-such-command: command not found"),
        (("nobody", "/etc/passwd"), 126, "setuser: /etc/passwd: permission denied"),
        (("nobody", "/no/such/file"), 127, "setuser: /no/such/file: command not found"),
        (("nobody",), 2, "setuser: usage: setuser USER|UID[:GROUP] COMMAND [ARGS...]"),
        ((), 2, "setuser: usage: setuser USER|UID[:GROUP] COMMAND [ARGS...]"),
    ],
)
def test_failures_are_one_line_with_their_exit_code(
    args: tuple[str, ...], code: int, message: str
) -> None:
    result = setuser(*args)
    assert (result.returncode, result.stdout, result.stderr) == (code, "", message + "\n")


@as_root
def test_command_is_searched_as_the_new_user(tmp_path: Path) -> None:
    # A directory nobody cannot search is skipped, not reported as "permission denied".
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    result = setuser("nobody", "id", "-un", env={"PATH": f"{private}:/usr/bin:/bin"})
    assert (result.returncode, result.stdout) == (0, "nobody\n")


@as_root
def test_switch_refused_for_non_root_names_the_user() -> None:
    # In a child that already became nobody, switching again must fail loudly.
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through the pipe
        try:
            os.setgroups([])
            os.setgid(NOBODY.pw_gid)
            os.setuid(NOBODY.pw_uid)
            UserSpec.resolve("12345").apply()
            os.write(write_end, b"switched")
        except LightbaseError as exc:
            os.write(write_end, str(exc).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as reader:
        message = reader.read().decode()
    os.waitpid(pid, 0)
    assert message == "cannot switch to user 12345 group 0: Operation not permitted"


def test_help_documents_usage_and_exit_codes() -> None:
    result = setuser("--help")
    assert result.returncode == 0
    assert result.stdout.startswith("usage: setuser USER|UID[:GROUP] COMMAND [ARGS...]\n")
    assert "127  COMMAND not found" in result.stdout
