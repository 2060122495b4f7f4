"""`USER`, `UID`, `USER:GROUP` or `UID:GID` -> the credentials and variables a process runs with."""

from __future__ import annotations

import grp
import os
import pwd
from dataclasses import dataclass

from .errors import LightbaseError


@dataclass(frozen=True)
class Credentials:
    uid: int
    gid: int
    groups: tuple[int, ...]
    home: str
    name: str
    shell: str

    def environment(self) -> dict[str, str]:
        """The variables a login would set, so programs find their home and name."""
        return {"HOME": self.home, "USER": self.name, "LOGNAME": self.name, "SHELL": self.shell}

    def apply(self) -> None:
        """Switch the calling process (groups first: after setuid it may no longer)."""
        os.setgroups(list(self.groups))
        os.setgid(self.gid)
        os.setuid(self.uid)


def resolve(spec: str) -> Credentials:
    """Look the user (and group) up now, so a typo is an error before anything starts."""
    user, _, group = spec.partition(":")
    if not user:
        raise LightbaseError(f"invalid user {spec!r}: expected USER, UID, USER:GROUP or UID:GID")
    entry = _passwd(user)
    if entry is None:
        if not user.isdigit():
            raise LightbaseError(f"unknown user {user!r}")
        uid = int(user)
        gid = uid if not group else _group_id(group)
        return Credentials(uid, gid, (gid,), "/", user, "/bin/sh")
    gid = _group_id(group) if group else entry.pw_gid
    groups = tuple(sorted({gid, *os.getgrouplist(entry.pw_name, gid)}))
    return Credentials(
        entry.pw_uid,
        gid,
        groups,
        entry.pw_dir or "/",
        entry.pw_name,
        entry.pw_shell or "/bin/sh",
    )


def _passwd(user: str) -> pwd.struct_passwd | None:
    try:
        return pwd.getpwuid(int(user)) if user.isdigit() else pwd.getpwnam(user)
    except KeyError:
        return None


def _group_id(group: str) -> int:
    if group.isdigit():
        return int(group)
    try:
        return grp.getgrnam(group).gr_gid
    except KeyError:
        raise LightbaseError(f"unknown group {group!r}") from None
