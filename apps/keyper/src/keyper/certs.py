"""Signing and revocation as the API does them: serials, validity, storing records in LDAP,
and revoking into the KRL before anything is forgotten."""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from datetime import timedelta

from keyper.directory import Directory
from keyper.errors import ApiError
from keyper.model import CertRecord, Host, KeyRecord, User, iso
from keyper.serials import next_serial
from keyper.sshca import CertificateAuthority, CertKind, SignRequest, now
from keyper.sshkeys import PublicKey

CLOCK_SKEW = timedelta(minutes=5)
MAX_VALIDITY = timedelta(weeks=520)
DEFAULT_USER_VALIDITY = "1d"
DEFAULT_HOST_VALIDITY = "52w"
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


def parse_validity(text: str) -> timedelta:
    """`12h`, `7d`, `52w` -> timedelta; ApiError(400) otherwise or beyond 520 weeks."""
    match = re.fullmatch(r"([1-9][0-9]{0,3})([hdw])", text)
    if not match:
        raise ApiError(400, f"valid_for: expected a number and h, d or w, got {text!r}")
    duration = int(match.group(1)) * _UNITS[match.group(2)]
    if duration > MAX_VALIDITY:
        raise ApiError(400, "valid_for: at most 520w")
    return duration


def _sign(
    ca: CertificateAuthority,
    kind: CertKind,
    key: PublicKey,
    identity: str,
    principals: Sequence[str],
    validity: timedelta,
    host_groups: Sequence[str],
) -> CertRecord:
    start = now()
    serial = next_serial(ca.settings.state_dir)
    request = SignRequest(key, identity, principals, serial, start - CLOCK_SKEW, start + validity)
    cert = ca.sign(kind, request)
    return CertRecord(
        id=str(serial),
        serial=serial,
        kind=kind.value,
        cert=cert,
        fingerprint=key.fingerprint,
        principals=list(principals),
        host_groups=sorted(host_groups),
        valid_after=iso(request.valid_after),
        valid_before=iso(request.valid_before),
    )


def sign_user(
    d: Directory,
    ca: CertificateAuthority,
    user: User,
    key: PublicKey,
    validity: timedelta,
    host_groups: Sequence[str],
) -> CertRecord:
    principals = user.principals or [user.username]
    record = _sign(ca, CertKind.USER, key, user.username, principals, validity, host_groups)
    d.add_cert(d.user_dn(user.username), record)
    return record


def sign_host(
    d: Directory, ca: CertificateAuthority, host: Host, key: PublicKey, validity: timedelta
) -> CertRecord:
    principals = host.principals or [host.hostname]
    record = _sign(ca, CertKind.HOST, key, host.hostname, principals, validity, ())
    d.add_cert(d.host_dn(host.hostname), record)
    return record


def revoke_key(d: Directory, ca: CertificateAuthority, user: User, key: KeyRecord) -> None:
    ca.revoke([key.key])
    d.remove_key(user.username, key)


def revoke_cert(d: Directory, ca: CertificateAuthority, dn: str, cert: CertRecord) -> None:
    ca.revoke([cert.cert])
    d.remove_cert(dn, cert)


def delete_user(d: Directory, ca: CertificateAuthority, user: User) -> None:
    """Revoke every key and certificate of the user, then delete the entry: if the delete
    fails the keys stay revoked, which is the safe side."""
    ca.revoke([k.key for k in user.keys] + [c.cert for c in user.certs])
    d.delete_user(user.username)


def delete_host(d: Directory, ca: CertificateAuthority, host: Host) -> None:
    ca.revoke([c.cert for c in host.certs])
    d.delete_host(host.hostname)


def new_key_record(
    key: PublicKey, name: str, valid_days: int, host_groups: Sequence[str]
) -> KeyRecord:
    created = now()
    return KeyRecord(
        id=secrets.token_hex(8),
        name=name,
        key=key.line,
        fingerprint=key.fingerprint,
        created=iso(created),
        expires=iso(created + timedelta(days=valid_days)),
        host_groups=sorted(host_groups),
    )
