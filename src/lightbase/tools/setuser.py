"""setuser: run a command as another user; `UserSpec` is the credential switch it uses.

The supervisor calls the same code in a service's child process for service.yaml `user:`:

    spec = UserSpec.resolve("www-data")      # before fork: reads passwd/group, may raise
    ...in the child:
    spec.apply()                             # initgroups/setgroups, setgid, setuid
    env.update(spec.environment())           # HOME, USER, LOGNAME (and SHELL)

`switch_user("www-data")` does both steps and returns the environment additions.
"""

from __future__ import annotations

import grp
import os
import pwd
import sys
from dataclasses import dataclass

from ..errors import LightbaseError, UsageError
from ._cli import run

NAME = "setuser"
EXIT_CANNOT_EXECUTE = 126
EXIT_NOT_FOUND = 127

HELP = """
usage: setuser USER|UID[:GROUP] COMMAND [ARGS...]

Run COMMAND with ARGS as another user, replacing setuser (exec, no shell in between).
Supplementary groups are set from the group database (initgroups) when USER has a passwd
entry and cleared otherwise; then the group and user IDs are set. COMMAND is searched in
$PATH (as the new user: directories it cannot search are skipped).

USER is a name or a number. A number without a passwd entry works: its group is 0 (as
`docker run --user UID` does) unless GROUP is given, HOME is /, USER and LOGNAME are the
number, and SHELL is left as it is. GROUP (a name or a number) replaces the primary group
of the passwd entry.

environment set for COMMAND (everything else is passed on unchanged):
  HOME, USER, LOGNAME, SHELL   from the passwd entry (SHELL only when the entry has one)

exit codes:
  1    unknown user or group, or the switch was refused (e.g. not running as root)
  2    wrong usage
  126  COMMAND cannot be executed
  127  COMMAND not found
  otherwise the exit code of COMMAND
"""

# Docker gives a numeric user without a passwd entry group 0; do the same so images built
# for `--user UID` (files group-owned by 0) behave the same under setuser.
DEFAULT_GID_WITHOUT_PASSWD = 0


@dataclass(frozen=True)
class UserSpec:
    """A resolved `USER|UID[:GROUP]`: everything needed to become that user."""

    uid: int
    gid: int
    name: str | None  # the passwd name; None for a bare UID
    home: str
    shell: str | None

    @classmethod
    def resolve(cls, spec: str) -> UserSpec:
        """Parse and look up `spec`; LightbaseError names the unknown user or group."""
        user, colon, group = spec.partition(":")
        if not user or (colon and not group):
            raise UsageError(f"invalid user {spec!r} (expected USER, UID, USER:GROUP or UID:GID)")
        entry = _passwd_entry(user)
        if entry is not None:
            uid, gid, name, home = entry.pw_uid, entry.pw_gid, entry.pw_name, entry.pw_dir
            shell: str | None = entry.pw_shell or None
        elif user.isdigit():
            uid, gid, name, home, shell = int(user), DEFAULT_GID_WITHOUT_PASSWD, None, "/", None
        else:
            raise LightbaseError(f"unknown user {user!r} (no passwd entry)")
        if group:
            gid = _group_id(group)
        return cls(uid=uid, gid=gid, name=name, home=home or "/", shell=shell)

    def environment(self) -> dict[str, str]:
        """HOME, USER, LOGNAME (and SHELL when known) for the new user."""
        login = self.name if self.name is not None else str(self.uid)
        env = {"HOME": self.home, "USER": login, "LOGNAME": login}
        if self.shell:
            env["SHELL"] = self.shell
        return env

    def apply(self) -> None:
        """Switch this process's credentials: groups, then gid, then uid (irreversible).

        Does nothing when the process already has exactly these IDs (so a non-root user can
        "switch" to itself); otherwise a refusal raises LightbaseError naming the user.
        """
        uids = {os.getuid(), os.geteuid()}
        gids = {os.getgid(), os.getegid()}
        if os.geteuid() != 0 and uids == {self.uid} and gids == {self.gid}:
            return
        try:
            if self.name is not None:
                os.initgroups(self.name, self.gid)
            else:
                os.setgroups([])  # never keep root's supplementary groups
            os.setgid(self.gid)
            os.setuid(self.uid)
        except OSError as exc:
            raise LightbaseError(
                f"cannot switch to user {self.describe()}: {exc.strerror or exc}"
            ) from None

    def describe(self) -> str:
        who = f"{self.name} ({self.uid})" if self.name is not None else str(self.uid)
        return f"{who} group {self.gid}"


def switch_user(spec: str) -> dict[str, str]:
    """Resolve `spec`, switch credentials, return the environment additions for the user."""
    user = UserSpec.resolve(spec)
    user.apply()
    return user.environment()


def _passwd_entry(user: str) -> pwd.struct_passwd | None:
    try:
        return pwd.getpwuid(int(user)) if user.isdigit() else pwd.getpwnam(user)
    except (KeyError, OverflowError):
        return None


def _group_id(group: str) -> int:
    if group.isdigit():
        return int(group)
    try:
        return grp.getgrnam(group).gr_gid
    except KeyError:
        raise LightbaseError(f"unknown group {group!r} (no group entry)") from None


def find_command(name: str, search_path: str) -> str:
    """`name` resolved through `search_path` as a shell does, checked as the current user.

    Directories that cannot be searched are skipped (os.execvp would report them as
    "permission denied" for a command that is simply not there).
    """
    if "/" in name:
        return name
    not_executable = None
    for directory in search_path.split(os.pathsep):
        candidate = os.path.join(directory or ".", name)
        if os.path.isfile(candidate):
            if os.access(candidate, os.X_OK):
                return candidate
            not_executable = not_executable or candidate
    if not_executable is not None:
        raise LightbaseError(f"{name}: permission denied", EXIT_CANNOT_EXECUTE)
    raise LightbaseError(f"{name}: command not found", EXIT_NOT_FOUND)


def execute(command: list[str], env: dict[str, str]) -> int:
    """exec `command`, searched in env's PATH; only returns (raises) when that failed."""
    name = command[0]
    if not name:
        raise LightbaseError("empty command name", EXIT_NOT_FOUND)
    program = find_command(name, env.get("PATH", os.defpath))
    try:
        os.execve(program, command, env)
    except FileNotFoundError:
        raise LightbaseError(f"{name}: command not found", EXIT_NOT_FOUND) from None
    except PermissionError:
        raise LightbaseError(f"{name}: permission denied", EXIT_CANNOT_EXECUTE) from None
    except OSError as exc:
        raise LightbaseError(
            f"{name}: cannot execute: {exc.strerror or exc}", EXIT_CANNOT_EXECUTE
        ) from None
    raise AssertionError("unreachable: exec returned")  # pragma: no cover


def _body(args: list[str]) -> int:
    if args[:1] == ["--"]:
        args = args[1:]
    if len(args) < 2:
        raise UsageError("usage: setuser USER|UID[:GROUP] COMMAND [ARGS...]")
    env = dict(os.environ)
    env.update(switch_user(args[0]))
    return execute(args[1:], env)


def main(argv: list[str] | None = None) -> int:
    return run(NAME, HELP, _body, argv)


if __name__ == "__main__":
    sys.exit(main())
