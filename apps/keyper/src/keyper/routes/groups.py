"""Groups (admin): groupOfNames of users and hosts; KeyperAdmins and AllHosts are protected."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from keyper.context import directory, require_admin
from keyper.directory import ADMINS_GROUP
from keyper.errors import ApiError
from keyper.ldapinit import ADMIN_USER
from keyper.model import Group
from keyper.validation import body, path_value

bp = Blueprint("groups", __name__)


@bp.get("/groups")
@require_admin
def list_groups() -> Any:
    return jsonify([g.to_api() for g in directory().list_groups()])


@bp.post("/groups")
@require_admin
def create_group() -> Any:
    data = body("GroupCreate")
    group = Group(
        data["name"], data.get("description", ""), data.get("users", []), data.get("hosts", [])
    )
    d = directory()
    d.create_group(group)
    return jsonify(d.get_group(group.name).to_api()), 201


@bp.get("/groups/<group>")
@require_admin
def get_group(group: str) -> Any:
    path_value("group", group)
    return jsonify(directory().get_group(group).to_api())


@bp.patch("/groups/<group>")
@require_admin
def update_group(group: str) -> Any:
    path_value("group", group)
    data = body("GroupUpdate")
    d = directory()
    current = d.get_group(group)
    updated = Group(
        current.name,
        data.get("description", current.description),
        data.get("users", current.users),
        data.get("hosts", current.hosts),
    )
    if group == ADMINS_GROUP and ADMIN_USER not in updated.users:
        raise ApiError(403, f"user {ADMIN_USER!r} stays in {ADMINS_GROUP}")
    d.update_group(updated)
    return jsonify(d.get_group(group).to_api())


@bp.delete("/groups/<group>")
@require_admin
def delete_group(group: str) -> Response:
    path_value("group", group)
    directory().delete_group(group)
    return Response(status=204)
