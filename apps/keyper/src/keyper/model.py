"""The records keyper keeps: keys and certificates (JSON values in LDAP), users, hosts, groups."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any

from keyper.errors import ApiError

ISO_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime(ISO_FORMAT)


def parse_iso(text: str) -> datetime:
    return datetime.strptime(text, ISO_FORMAT).replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class KeyRecord:
    """A user's SSH public key: valid until `expires`, on hosts in `host_groups`."""

    id: str
    name: str
    key: str
    fingerprint: str
    created: str
    expires: str
    host_groups: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> KeyRecord:
        try:
            return cls(**_load(text, cls.__name__))
        except TypeError:
            raise ApiError(500, f"corrupt {cls.__name__} in LDAP") from None


@dataclass(frozen=True)
class CertRecord:
    """A certificate the CA signed; `id` is its serial as text."""

    id: str
    serial: int
    kind: str
    cert: str
    fingerprint: str
    principals: list[str]
    host_groups: list[str]
    valid_after: str
    valid_before: str

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> CertRecord:
        try:
            return cls(**_load(text, cls.__name__))
        except TypeError:
            raise ApiError(500, f"corrupt {cls.__name__} in LDAP") from None


def _load(text: str, what: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        raise ApiError(500, f"corrupt {what} in LDAP") from None
    if not isinstance(data, dict):
        raise ApiError(500, f"corrupt {what} in LDAP")
    return data


@dataclass
class User:
    username: str
    surname: str
    given_name: str = ""
    mail: str = ""
    locked: bool = False
    principals: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    keys: list[KeyRecord] = field(default_factory=list)
    certs: list[CertRecord] = field(default_factory=list)
    admin: bool = False

    def to_api(self) -> dict[str, Any]:
        data = asdict(self)
        data["keys"] = [asdict(k) for k in self.keys]
        data["certs"] = [asdict(c) for c in self.certs]
        return data


@dataclass
class Host:
    hostname: str
    description: str = ""
    principals: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    certs: list[CertRecord] = field(default_factory=list)

    def to_api(self) -> dict[str, Any]:
        data = asdict(self)
        data["certs"] = [asdict(c) for c in self.certs]
        return data


@dataclass
class Group:
    name: str
    description: str = ""
    users: list[str] = field(default_factory=list)
    hosts: list[str] = field(default_factory=list)

    def to_api(self) -> dict[str, Any]:
        return asdict(self)
