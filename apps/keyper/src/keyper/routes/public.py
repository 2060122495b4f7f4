"""Unauthenticated endpoints: health, CA public keys, KRL, and what sshd's helpers ask."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from keyper import access, openapi
from keyper.context import directory, services
from keyper.errors import ApiError
from keyper.sshca import CertKind, now
from keyper.validation import query

bp = Blueprint("public", __name__)


def _text(lines: list[str] | str) -> Response:
    body = lines if isinstance(lines, str) else "".join(f"{line}\n" for line in lines)
    return Response(body, mimetype="text/plain")


@bp.get("/openapi.json")
def openapi_json() -> Response:
    return jsonify(openapi.document())


@bp.get("/health")
def health() -> Any:
    checks = {}
    try:
        directory().ldap.search(services().settings.base_dn, "(objectClass=*)", ["dc"], "base")
        checks["ldap"] = "ok"
    except ApiError as exc:
        checks["ldap"] = exc.message
    try:
        for kind in CertKind:
            services().ca.public_key(kind)
        services().ca.krl_bytes()
        checks["ca"] = "ok"
    except ApiError as exc:
        checks["ca"] = exc.message
    healthy = all(v == "ok" for v in checks.values())
    return jsonify({"status": "ok" if healthy else "unhealthy", **checks}), 200 if healthy else 503


@bp.get("/userca")
def userca() -> Response:
    return _text(services().ca.public_key(CertKind.USER))


@bp.get("/hostca")
def hostca() -> Response:
    return _text(services().ca.public_key(CertKind.HOST))


@bp.get("/krl")
def krl() -> Response:
    return Response(services().ca.krl_bytes(), mimetype="application/octet-stream")


@bp.get("/authkeys")
def authkeys() -> Response:
    params = query("authkeys")
    d = directory()
    user, host = d.find_user(params["username"]), d.find_host(params["host"])
    if user is None or host is None:
        return _text([])
    lines = access.authorized_keys(services().ca, user, host, params.get("fingerprint"), now())
    return _text(lines)


@bp.get("/authprinc")
def authprinc() -> Response:
    params = query("authprinc")
    d = directory()
    user, host = d.find_user(params["username"]), d.find_host(params["host"])
    if user is None or host is None:
        return _text([])
    serial = int(params["serial"])
    principals = access.authorized_principals(
        services().ca, user, host, params["fingerprint"], serial, now()
    )
    return _text(principals)


@bp.get("/usercert")
def usercert() -> Response:
    params = query("usercert")
    user = directory().find_user(params["username"])
    if user is None or user.locked:
        return _text([])
    return _text(access.valid_certs(services().ca, user.certs, params.get("fingerprint"), now()))


@bp.get("/hostcert")
def hostcert() -> Response:
    params = query("hostcert")
    host = directory().find_host(params["hostname"])
    if host is None:
        return _text([])
    return _text(access.valid_certs(services().ca, host.certs, params.get("fingerprint"), now()))
