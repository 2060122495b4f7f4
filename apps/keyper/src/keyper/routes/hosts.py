"""Hosts (admin): CRUD and host certificates. A new host joins AllHosts."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from keyper import certs
from keyper.context import directory, require_admin, services
from keyper.directory import ALL_HOSTS_GROUP
from keyper.errors import ApiError
from keyper.model import Host
from keyper.sshkeys import parse_public_key
from keyper.validation import body, path_value

bp = Blueprint("hosts", __name__)


@bp.get("/hosts")
@require_admin
def list_hosts() -> Any:
    return jsonify([h.to_api() for h in directory().list_hosts()])


@bp.post("/hosts")
@require_admin
def create_host() -> Any:
    data = body("HostCreate")
    d = directory()
    groups = sorted({ALL_HOSTS_GROUP, *data.get("groups", [])})
    for group in groups:
        d.get_group(group)
    host = Host(data["hostname"], data.get("description", ""), data.get("principals", []))
    d.create_host(host)
    d.set_membership(d.host_dn(host.hostname), groups, f"create host {host.hostname!r}")
    return jsonify(d.get_host(host.hostname).to_api()), 201


@bp.get("/hosts/<hostname>")
@require_admin
def get_host(hostname: str) -> Any:
    path_value("hostname", hostname)
    return jsonify(directory().get_host(hostname).to_api())


@bp.patch("/hosts/<hostname>")
@require_admin
def update_host(hostname: str) -> Any:
    path_value("hostname", hostname)
    data = body("HostUpdate")
    d = directory()
    d.get_host(hostname)
    values = {}
    if "description" in data:
        values["description"] = [data["description"]] if data["description"] else []
    if "principals" in data:
        values["keyperPrincipal"] = data["principals"] or [hostname]
    if "groups" in data:
        d.set_membership(d.host_dn(hostname), data["groups"], f"update host {hostname!r}")
    d.replace_host_attrs(hostname, values)
    return jsonify(d.get_host(hostname).to_api())


@bp.delete("/hosts/<hostname>")
@require_admin
def delete_host(hostname: str) -> Response:
    path_value("hostname", hostname)
    d = directory()
    certs.delete_host(d, services().ca, d.get_host(hostname))
    return Response(status=204)


@bp.post("/hosts/<hostname>/certs")
@require_admin
def sign_cert(hostname: str) -> Any:
    path_value("hostname", hostname)
    data = body("HostCertCreate")
    d = directory()
    host = d.get_host(hostname)
    key = parse_public_key(data["public_key"])
    validity = certs.parse_validity(data.get("valid_for", certs.DEFAULT_HOST_VALIDITY))
    record = certs.sign_host(d, services().ca, host, key, validity)
    return jsonify(record.__dict__), 201


@bp.delete("/hosts/<hostname>/certs/<cert_id>")
@require_admin
def revoke_cert(hostname: str, cert_id: str) -> Response:
    path_value("hostname", hostname)
    path_value("cert_id", cert_id)
    d = directory()
    host = d.get_host(hostname)
    cert = next((c for c in host.certs if c.id == cert_id), None)
    if cert is None:
        raise ApiError(404, f"certificate {cert_id}: not found")
    certs.revoke_cert(d, services().ca, d.host_dn(hostname), cert)
    return Response(status=204)
