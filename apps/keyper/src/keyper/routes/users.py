"""Users: CRUD (admin), self-service profile and password, keys and user certificates."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from keyper import certs
from keyper.context import (
    directory,
    ensure_self_or_admin,
    is_admin,
    require_admin,
    require_login,
    services,
)
from keyper.directory import ADMINS_GROUP
from keyper.errors import ApiError
from keyper.ldapinit import ADMIN_USER
from keyper.model import User
from keyper.passwords import ssha
from keyper.sshkeys import parse_public_key
from keyper.validation import body, path_value

bp = Blueprint("users", __name__)
ADMIN_ONLY_FIELDS = ("principals", "groups", "locked")


@bp.get("/users")
@require_admin
def list_users() -> Any:
    return jsonify([u.to_api() for u in directory().list_users()])


@bp.post("/users")
@require_admin
def create_user() -> Any:
    data = body("UserCreate")
    d = directory()
    for group in data.get("groups", []):
        d.get_group(group)
    user = User(
        username=data["username"],
        surname=data["surname"],
        given_name=data.get("given_name", ""),
        mail=data.get("mail", ""),
        principals=data.get("principals", []),
    )
    d.create_user(user, ssha(data["password"]))
    d.set_membership(d.user_dn(user.username), data.get("groups", []), "create user")
    return jsonify(d.get_user(user.username).to_api()), 201


@bp.get("/users/<username>")
@require_login
def get_user(username: str) -> Any:
    path_value("username", username)
    ensure_self_or_admin(username)
    return jsonify(directory().get_user(username).to_api())


@bp.patch("/users/<username>")
@require_login
def update_user(username: str) -> Any:
    path_value("username", username)
    ensure_self_or_admin(username)
    data = body("UserUpdate")
    if not is_admin() and any(f in data for f in ADMIN_ONLY_FIELDS):
        raise ApiError(403, f"only administrators may change {', '.join(ADMIN_ONLY_FIELDS)}")
    d = directory()
    d.get_user(username)
    values = {}
    for field, attr in (("surname", "sn"), ("given_name", "givenName"), ("mail", "mail")):
        if field in data:
            values[attr] = [data[field]]
    if "password" in data:
        values["userPassword"] = [ssha(data["password"])]
    if "principals" in data:
        values["keyperPrincipal"] = data["principals"] or [username]
    if "groups" in data:
        if username == ADMIN_USER and ADMINS_GROUP not in data["groups"]:
            raise ApiError(403, f"user {ADMIN_USER!r} stays in {ADMINS_GROUP}")
        d.set_membership(d.user_dn(username), data["groups"], f"update user {username!r}")
    d.replace_user_attrs(username, values)
    if "locked" in data:
        if username == ADMIN_USER and data["locked"]:
            raise ApiError(403, f"user {ADMIN_USER!r} cannot be locked")
        d.set_locked(username, data["locked"])
    return jsonify(d.get_user(username).to_api())


@bp.delete("/users/<username>")
@require_admin
def delete_user(username: str) -> Response:
    path_value("username", username)
    if username == ADMIN_USER:
        raise ApiError(403, f"user {ADMIN_USER!r} cannot be deleted")
    d = directory()
    certs.delete_user(d, services().ca, d.get_user(username))
    return Response(status=204)


@bp.get("/users/<username>/keys")
@require_login
def list_keys(username: str) -> Any:
    path_value("username", username)
    ensure_self_or_admin(username)
    return jsonify([k.__dict__ for k in directory().get_user(username).keys])


def _check_host_groups(groups: list[str], user: User) -> None:
    d = directory()
    for group in groups:
        d.get_group(group)
        if not is_admin() and group not in user.groups:
            raise ApiError(403, f"host group {group!r}: you are not a member")


@bp.post("/users/<username>/keys")
@require_login
def add_key(username: str) -> Any:
    path_value("username", username)
    ensure_self_or_admin(username)
    data = body("KeyCreate")
    d = directory()
    user = d.get_user(username)
    key = parse_public_key(data["key"])
    if any(k.fingerprint == key.fingerprint for k in user.keys):
        raise ApiError(409, f"key {key.fingerprint} is already registered for {username!r}")
    host_groups = data.get("host_groups", user.groups)
    _check_host_groups(host_groups, user)
    record = certs.new_key_record(
        key, data.get("name", ""), data.get("valid_days", 365), host_groups
    )
    d.add_key(username, record)
    return jsonify(record.__dict__), 201


@bp.delete("/users/<username>/keys/<key_id>")
@require_login
def delete_key(username: str, key_id: str) -> Response:
    path_value("username", username)
    path_value("key_id", key_id)
    ensure_self_or_admin(username)
    d = directory()
    user = d.get_user(username)
    key = next((k for k in user.keys if k.id == key_id), None)
    if key is None:
        raise ApiError(404, f"key {key_id}: not found")
    certs.revoke_key(d, services().ca, user, key)
    return Response(status=204)


@bp.get("/users/<username>/certs")
@require_login
def list_certs(username: str) -> Any:
    path_value("username", username)
    ensure_self_or_admin(username)
    return jsonify([c.__dict__ for c in directory().get_user(username).certs])


@bp.post("/users/<username>/certs")
@require_login
def sign_cert(username: str) -> Any:
    path_value("username", username)
    ensure_self_or_admin(username)
    data = body("UserCertCreate")
    if ("key_id" in data) == ("public_key" in data):
        raise ApiError(400, "give exactly one of key_id and public_key")
    d = directory()
    user = d.get_user(username)
    if user.locked:
        raise ApiError(403, f"user {username!r} is locked")
    if "key_id" in data:
        stored = next((k for k in user.keys if k.id == data["key_id"]), None)
        if stored is None:
            raise ApiError(404, f"key {data['key_id']}: not found")
        key = parse_public_key(stored.key)
    else:
        key = parse_public_key(data["public_key"])
    validity = certs.parse_validity(data.get("valid_for", certs.DEFAULT_USER_VALIDITY))
    host_groups = data.get("host_groups", user.groups)
    _check_host_groups(host_groups, user)
    record = certs.sign_user(d, services().ca, user, key, validity, host_groups)
    return jsonify(record.__dict__), 201


@bp.delete("/users/<username>/certs/<cert_id>")
@require_login
def revoke_cert(username: str, cert_id: str) -> Response:
    path_value("username", username)
    path_value("cert_id", cert_id)
    ensure_self_or_admin(username)
    d = directory()
    user = d.get_user(username)
    cert = next((c for c in user.certs if c.id == cert_id), None)
    if cert is None:
        raise ApiError(404, f"certificate {cert_id}: not found")
    certs.revoke_cert(d, services().ca, d.user_dn(username), cert)
    return Response(status=204)
