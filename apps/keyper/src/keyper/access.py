"""Who may log in where: the rules behind the public endpoints sshd's helpers call."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from keyper.model import CertRecord, Host, KeyRecord, User, parse_iso
from keyper.sshca import CertificateAuthority


def shared_groups(user: User, host: Host) -> set[str]:
    """The host's groups the user may use: all of them for administrators, otherwise the ones
    both belong to."""
    return set(host.groups) if user.admin else set(host.groups) & set(user.groups)


def key_usable(key: KeyRecord, groups: set[str], now: datetime) -> bool:
    return parse_iso(key.expires) > now and bool(set(key.host_groups) & groups)


def cert_current(cert: CertRecord, now: datetime) -> bool:
    return parse_iso(cert.valid_after) <= now < parse_iso(cert.valid_before)


def authorized_keys(
    ca: CertificateAuthority, user: User, host: Host, fingerprint: str | None, now: datetime
) -> list[str]:
    """The key lines `user` may log in with on `host`: unlocked account, key unexpired, valid
    for a group user and host share, not in the KRL; optionally only the given fingerprint."""
    if user.locked:
        return []
    groups = shared_groups(user, host)
    keys = [k for k in user.keys if key_usable(k, groups, now)]
    if fingerprint is not None:
        keys = [k for k in keys if k.fingerprint == fingerprint]
    return [k.key for k in keys if not ca.is_revoked(k.key)]


def authorized_principals(
    ca: CertificateAuthority,
    user: User,
    host: Host,
    fingerprint: str,
    serial: int,
    now: datetime,
) -> list[str]:
    """The principals of the user certificate with this serial and key fingerprint, when it is
    current, valid for a group user and host share, and not in the KRL; else nothing."""
    if user.locked:
        return []
    groups = shared_groups(user, host)
    for cert in user.certs:
        if cert.serial != serial or cert.fingerprint != fingerprint:
            continue
        if cert_current(cert, now) and set(cert.host_groups) & groups:
            return [] if ca.is_revoked(cert.cert) else list(cert.principals)
    return []


def valid_certs(
    ca: CertificateAuthority, certs: Iterable[CertRecord], fingerprint: str | None, now: datetime
) -> list[str]:
    """Certificate lines that are current and unrevoked, optionally for one key fingerprint."""
    found = [c for c in certs if cert_current(c, now)]
    if fingerprint is not None:
        found = [c for c in found if c.fingerprint == fingerprint]
    return [c.cert for c in found if not ca.is_revoked(c.cert)]
