"""keyper's view of the LDAP tree: users, hosts and groups, read and written through Ldap."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ldap3 import MODIFY_ADD, MODIFY_DELETE, MODIFY_REPLACE

from keyper.config import Settings
from keyper.errors import ApiError
from keyper.ldapconn import Ldap, filter_value, first_rdn_value, rdn
from keyper.model import CertRecord, Group, Host, KeyRecord, User

ADMINS_GROUP = "KeyperAdmins"
ALL_HOSTS_GROUP = "AllHosts"
PROTECTED_GROUPS = frozenset({ADMINS_GROUP, ALL_HOSTS_GROUP})
ADMIN_LOCK = "000001010000Z"  # ppolicy: locked until an administrator unlocks
USER_ATTRS = (
    "cn", "sn", "givenName", "mail", "keyperPrincipal", "keyperKey", "keyperCert",
    "pwdAccountLockedTime",
)  # fmt: skip
HOST_ATTRS = ("cn", "description", "keyperPrincipal", "keyperCert")
GROUP_ATTRS = ("cn", "description", "member")


def _one(entry: dict[str, Any], attr: str) -> str:
    values = entry.get(attr) or [""]
    return str(values[0])


class Directory:
    def __init__(self, settings: Settings, ldap: Ldap) -> None:
        self.s = settings
        self.ldap = ldap

    # DNs -------------------------------------------------------------------------------
    def user_dn(self, name: str) -> str:
        return f"{rdn('cn', name)},{self.s.people_dn}"

    def host_dn(self, name: str) -> str:
        return f"{rdn('cn', name)},{self.s.hosts_dn}"

    def group_dn(self, name: str) -> str:
        return f"{rdn('cn', name)},{self.s.groups_dn}"

    # groups ----------------------------------------------------------------------------
    def groups_of(self, dn: str) -> list[str]:
        found = self.ldap.search(
            self.s.groups_dn, f"(&(objectClass=groupOfNames)(member={filter_value(dn)}))", ["cn"]
        )
        return sorted(_one(e, "cn") for e in found)

    def is_admin(self, username: str) -> bool:
        """Membership of KeyperAdmins, asked of LDAP (an exact DN match, not a substring)."""
        dn = self.user_dn(username)
        found = self.ldap.search(
            self.group_dn(ADMINS_GROUP), f"(member={filter_value(dn)})", ["cn"], scope="base"
        )
        return bool(found)

    def _group(self, entry: dict[str, Any]) -> Group:
        users, hosts = [], []
        for member in entry.get("member", []):
            lower = member.lower()
            if lower.endswith("," + self.s.people_dn.lower()):
                users.append(first_rdn_value(member))
            elif lower.endswith("," + self.s.hosts_dn.lower()):
                hosts.append(first_rdn_value(member))
        return Group(_one(entry, "cn"), _one(entry, "description"), sorted(users), sorted(hosts))

    def get_group(self, name: str) -> Group:
        found = self.ldap.search(
            self.group_dn(name), "(objectClass=groupOfNames)", GROUP_ATTRS, scope="base"
        )
        if not found:
            raise ApiError(404, f"group {name!r}: not found")
        return self._group(found[0])

    def list_groups(self) -> list[Group]:
        found = self.ldap.search(self.s.groups_dn, "(objectClass=groupOfNames)", GROUP_ATTRS)
        return sorted((self._group(e) for e in found), key=lambda g: g.name)

    def _member_dns(self, users: Iterable[str], hosts: Iterable[str]) -> list[str]:
        dns = []
        for user in users:
            self.get_user(user)
            dns.append(self.user_dn(user))
        for host in hosts:
            self.get_host(host)
            dns.append(self.host_dn(host))
        # groupOfNames needs a member: the root DN stands in for "nobody" (refint agrees)
        return dns or [self.s.bind_dn]

    def create_group(self, group: Group) -> None:
        attrs: dict[str, Any] = {"objectClass": ["groupOfNames"], "cn": group.name}
        attrs["member"] = self._member_dns(group.users, group.hosts)
        if group.description:
            attrs["description"] = group.description
        self.ldap.add(self.group_dn(group.name), attrs, f"create group {group.name!r}")

    def update_group(self, group: Group) -> None:
        members = self._member_dns(group.users, group.hosts)
        changes: dict[str, Any] = {"member": [(MODIFY_REPLACE, members)]}
        changes["description"] = [
            (MODIFY_REPLACE, [group.description] if group.description else [])
        ]
        self.ldap.modify(self.group_dn(group.name), changes, f"update group {group.name!r}")

    def set_membership(self, member_dn: str, groups: Iterable[str], what: str) -> None:
        """Make `member_dn` a member of exactly `groups` (others are left)."""
        wanted = set(groups)
        for name in wanted:
            self.get_group(name)
        current = set(self.groups_of(member_dn))
        for name in sorted(wanted - current):
            change = {"member": [(MODIFY_ADD, [member_dn])]}
            self.ldap.modify(self.group_dn(name), change, f"{what}: join group {name!r}")
        for name in sorted(current - wanted):
            self._leave(name, member_dn, what)

    def _leave(self, group: str, member_dn: str, what: str) -> None:
        entry = self.get_group(group)
        remaining = len(entry.users) + len(entry.hosts)
        change: dict[str, Any] = {"member": [(MODIFY_DELETE, [member_dn])]}
        if remaining <= 1:
            change = {"member": [(MODIFY_REPLACE, [self.s.bind_dn])]}
        self.ldap.modify(self.group_dn(group), change, f"{what}: leave group {group!r}")

    def delete_group(self, name: str) -> None:
        if name in PROTECTED_GROUPS:
            raise ApiError(403, f"group {name!r} is protected")
        self.ldap.delete(self.group_dn(name), f"delete group {name!r}")

    # users -----------------------------------------------------------------------------
    def _user(self, entry: dict[str, Any], groups: list[str]) -> User:
        return User(
            username=_one(entry, "cn"),
            surname=_one(entry, "sn"),
            given_name=_one(entry, "givenName"),
            mail=_one(entry, "mail"),
            locked=_one(entry, "pwdAccountLockedTime") == ADMIN_LOCK,
            principals=sorted(entry.get("keyperPrincipal", [])),
            groups=groups,
            keys=sorted(
                (KeyRecord.from_json(v) for v in entry.get("keyperKey", [])), key=lambda k: k.id
            ),
            certs=sorted(
                (CertRecord.from_json(v) for v in entry.get("keyperCert", [])),
                key=lambda c: c.serial,
            ),
            admin=ADMINS_GROUP in groups,
        )

    def find_user(self, name: str) -> User | None:
        dn = self.user_dn(name)
        found = self.ldap.search(dn, "(objectClass=inetOrgPerson)", USER_ATTRS, scope="base")
        return self._user(found[0], self.groups_of(dn)) if found else None

    def get_user(self, name: str) -> User:
        user = self.find_user(name)
        if user is None:
            raise ApiError(404, f"user {name!r}: not found")
        return user

    def list_users(self) -> list[User]:
        groups = self.list_groups()
        found = self.ldap.search(self.s.people_dn, "(objectClass=inetOrgPerson)", USER_ATTRS)
        users = []
        for entry in found:
            name = _one(entry, "cn")
            member_of = sorted(g.name for g in groups if name in g.users)
            users.append(self._user(entry, member_of))
        return sorted(users, key=lambda u: u.username)

    def create_user(self, user: User, password_hash: str) -> None:
        attrs: dict[str, Any] = {
            "objectClass": ["inetOrgPerson", "ldapPublicKey", "keyperAccount"],
            "cn": user.username,
            "sn": user.surname,
            "userPassword": password_hash,
            "keyperPrincipal": user.principals or [user.username],
        }
        if user.given_name:
            attrs["givenName"] = user.given_name
        if user.mail:
            attrs["mail"] = user.mail
        self.ldap.add(self.user_dn(user.username), attrs, f"create user {user.username!r}")

    def replace_user_attrs(self, name: str, values: dict[str, list[str]]) -> None:
        changes = {attr: [(MODIFY_REPLACE, vals)] for attr, vals in values.items()}
        if changes:
            self.ldap.modify(self.user_dn(name), changes, f"update user {name!r}")

    def set_locked(self, name: str, locked: bool) -> None:
        change = [(MODIFY_REPLACE, [ADMIN_LOCK] if locked else [])]
        self.ldap.modify(
            self.user_dn(name), {"pwdAccountLockedTime": change}, f"lock user {name!r}"
        )

    def delete_user(self, name: str) -> None:
        self.ldap.delete(self.user_dn(name), f"delete user {name!r}")

    def add_key(self, name: str, record: KeyRecord) -> None:
        changes = {
            "keyperKey": [(MODIFY_ADD, [record.to_json()])],
            "sshPublicKey": [(MODIFY_ADD, [record.key])],
        }
        self.ldap.modify(self.user_dn(name), changes, f"add key to user {name!r}")

    def remove_key(self, name: str, record: KeyRecord) -> None:
        dn = self.user_dn(name)
        change = {"keyperKey": [(MODIFY_DELETE, [record.to_json()])]}
        self.ldap.modify(dn, change, f"remove key {record.id} of user {name!r}")
        change = {"sshPublicKey": [(MODIFY_DELETE, [record.key])]}
        # the plain copy may already be gone if the entry was edited outside keyper
        self.ldap.modify(dn, change, f"remove key {record.id} of user {name!r}", allow=(16,))

    def add_cert(self, dn: str, record: CertRecord) -> None:
        change = {"keyperCert": [(MODIFY_ADD, [record.to_json()])]}
        self.ldap.modify(dn, change, f"store certificate {record.serial}")

    def remove_cert(self, dn: str, record: CertRecord) -> None:
        change = {"keyperCert": [(MODIFY_DELETE, [record.to_json()])]}
        self.ldap.modify(dn, change, f"remove certificate {record.serial}")

    # hosts -----------------------------------------------------------------------------
    def _host(self, entry: dict[str, Any], groups: list[str]) -> Host:
        return Host(
            hostname=_one(entry, "cn"),
            description=_one(entry, "description"),
            principals=sorted(entry.get("keyperPrincipal", [])),
            groups=groups,
            certs=sorted(
                (CertRecord.from_json(v) for v in entry.get("keyperCert", [])),
                key=lambda c: c.serial,
            ),
        )

    def find_host(self, name: str) -> Host | None:
        dn = self.host_dn(name)
        found = self.ldap.search(dn, "(objectClass=device)", HOST_ATTRS, scope="base")
        return self._host(found[0], self.groups_of(dn)) if found else None

    def get_host(self, name: str) -> Host:
        host = self.find_host(name)
        if host is None:
            raise ApiError(404, f"host {name!r}: not found")
        return host

    def list_hosts(self) -> list[Host]:
        groups = self.list_groups()
        found = self.ldap.search(self.s.hosts_dn, "(objectClass=device)", HOST_ATTRS)
        hosts = []
        for entry in found:
            name = _one(entry, "cn")
            hosts.append(self._host(entry, sorted(g.name for g in groups if name in g.hosts)))
        return sorted(hosts, key=lambda h: h.hostname)

    def create_host(self, host: Host) -> None:
        attrs: dict[str, Any] = {
            "objectClass": ["device", "keyperAccount"],
            "cn": host.hostname,
            "keyperPrincipal": host.principals or [host.hostname],
        }
        if host.description:
            attrs["description"] = host.description
        self.ldap.add(self.host_dn(host.hostname), attrs, f"create host {host.hostname!r}")

    def replace_host_attrs(self, name: str, values: dict[str, list[str]]) -> None:
        changes = {attr: [(MODIFY_REPLACE, vals)] for attr, vals in values.items()}
        if changes:
            self.ldap.modify(self.host_dn(name), changes, f"update host {name!r}")

    def delete_host(self, name: str) -> None:
        self.ldap.delete(self.host_dn(name), f"delete host {name!r}")
