"""Login (LDAP bind -> token), logout (revocation shared by all workers), whoami."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from flask import Blueprint, Response, jsonify

from keyper.context import claims, current_username, directory, require_login, services
from keyper.errors import ApiError
from keyper.ldapconn import check_password
from keyper.validation import body

bp = Blueprint("auth", __name__)


@bp.post("/login")
def login() -> Any:
    data = body("Login")
    d = directory()
    user = d.find_user(data["username"])
    # one answer for unknown user, wrong password and locked account: no account probing
    denied = ApiError(401, "invalid username or password")
    if user is None or user.locked:
        raise denied
    if not check_password(services().settings.ldap_uri, d.user_dn(user.username), data["password"]):
        raise denied
    token, issued = services().tokens.issue(user.username)
    expires = datetime.fromtimestamp(issued.expires, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return jsonify(
        {"token": token, "expires_at": expires, "username": user.username, "admin": user.admin}
    )


@bp.post("/logout")
def logout() -> Response:
    services().tokens.revoke(claims())
    return Response(status=204)


@bp.get("/whoami")
@require_login
def whoami() -> Any:
    return jsonify(directory().get_user(current_username()).to_api())
