"""The OpenAPI 3.0 document the app serves at /api/openapi.json. Its request schemas are also
what the app validates bodies and query strings against (one source of truth)."""

from __future__ import annotations

from typing import Any

from keyper import __version__

USERNAME = r"^[a-z_][a-z0-9_.-]{0,31}$"
HOSTNAME = (
    r"^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)
GROUPNAME = r"^[^\x00-\x1f\x7f /]([^\x00-\x1f\x7f/]{0,62}[^\x00-\x1f\x7f /])?$"
PRINCIPAL = r"^[A-Za-z0-9_.@-]{1,64}$"
TEXT = r"^[^\x00-\x1f\x7f]*$"
FINGERPRINT = r"^SHA256:[A-Za-z0-9+/]{43}$"
VALID_FOR = r"^[1-9][0-9]{0,3}[hdw]$"
KEY_ID = r"^[0-9a-f]{16}$"
CERT_ID = r"^[1-9][0-9]{0,18}$"


def _s(pattern: str, max_length: int, min_length: int = 1) -> dict[str, Any]:
    return {"type": "string", "pattern": pattern, "minLength": min_length, "maxLength": max_length}


def _list(item: dict[str, Any], max_items: int = 64) -> dict[str, Any]:
    return {"type": "array", "items": item, "maxItems": max_items, "uniqueItems": True}


def _object(props: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": props, "additionalProperties": False}
    if required:
        schema["required"] = list(required)
    return schema


NAME = _s(USERNAME, 32)
# 128, not DNS's 253: slapd's mdb index refuses longer cn values ("other" error 80)
HOST = _s(HOSTNAME, 128)
GROUP = _s(GROUPNAME, 64)
PRINC = _s(PRINCIPAL, 64)
PASSWORD = _s(r"^[^\x00]*$", 128, 8)
PERSON_TEXT = _s(TEXT, 128)
PUBLIC_KEY = _s(r"^[^\x00\r\n]*$", 16384)

SCHEMAS: dict[str, dict[str, Any]] = {
    "Error": {"type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]},
    "Login": _object(
        {"username": NAME, "password": _s(r"^[^\x00]*$", 128)}, ("username", "password")
    ),
    "UserCreate": _object(
        {
            "username": NAME,
            "surname": PERSON_TEXT,
            "password": PASSWORD,
            "given_name": PERSON_TEXT,
            "mail": _s(r"^[\x21-\x3f\x41-\x7e]+@[\x21-\x3f\x41-\x7e]+$", 254),
            "principals": _list(PRINC),
            "groups": _list(GROUP),
        },
        ("username", "surname", "password"),
    ),
    "UserUpdate": _object(
        {
            "surname": PERSON_TEXT,
            "given_name": PERSON_TEXT,
            "mail": _s(r"^[\x21-\x3f\x41-\x7e]+@[\x21-\x3f\x41-\x7e]+$", 254),
            "password": PASSWORD,
            "principals": _list(PRINC),
            "groups": _list(GROUP),
            "locked": {"type": "boolean"},
        }
    ),
    "KeyCreate": _object(
        {
            "key": PUBLIC_KEY,
            "name": _s(TEXT, 100, 0),
            "valid_days": {"type": "integer", "minimum": 1, "maximum": 3650},
            "host_groups": _list(GROUP),
        },
        ("key",),
    ),
    "UserCertCreate": _object(
        {
            "key_id": _s(KEY_ID, 16),
            "public_key": PUBLIC_KEY,
            "valid_for": _s(VALID_FOR, 5),
            "host_groups": _list(GROUP),
        }
    ),
    "HostCreate": _object(
        {
            "hostname": HOST,
            "description": _s(TEXT, 256, 0),
            "principals": _list(PRINC),
            "groups": _list(GROUP),
        },
        ("hostname",),
    ),
    "HostUpdate": _object(
        {"description": _s(TEXT, 256, 0), "principals": _list(PRINC), "groups": _list(GROUP)}
    ),
    "HostCertCreate": _object(
        {"public_key": PUBLIC_KEY, "valid_for": _s(VALID_FOR, 5)}, ("public_key",)
    ),
    "GroupCreate": _object(
        {
            "name": GROUP,
            "description": _s(TEXT, 256, 0),
            "users": _list(NAME),
            "hosts": _list(HOST),
        },
        ("name",),
    ),
    "GroupUpdate": _object(
        {"description": _s(TEXT, 256, 0), "users": _list(NAME), "hosts": _list(HOST)}
    ),
    "LoginResult": {"type": "object", "required": ["token", "expires_at", "username", "admin"]},
    "User": {"type": "object", "required": ["username", "keys", "certs", "groups", "locked"]},
    "Host": {"type": "object", "required": ["hostname", "certs", "groups"]},
    "Group": {"type": "object", "required": ["name", "users", "hosts"]},
    "Key": {"type": "object", "required": ["id", "key", "fingerprint", "expires", "host_groups"]},
    "Cert": {"type": "object", "required": ["id", "serial", "cert", "valid_before"]},
}

QUERY: dict[str, dict[str, dict[str, Any]]] = {
    "authkeys": {"username": NAME, "host": HOST, "fingerprint": _s(FINGERPRINT, 50)},
    "authprinc": {
        "username": NAME,
        "host": HOST,
        "fingerprint": _s(FINGERPRINT, 50),
        "serial": _s(CERT_ID, 19),
    },
    "usercert": {"username": NAME, "fingerprint": _s(FINGERPRINT, 50)},
    "hostcert": {"hostname": HOST, "fingerprint": _s(FINGERPRINT, 50)},
}
REQUIRED_QUERY = {
    "authkeys": ("username", "host"),
    "authprinc": ("username", "host", "fingerprint", "serial"),
    "usercert": ("username",),
    "hostcert": ("hostname",),
}
PATH = {"username": NAME, "hostname": HOST, "group": GROUP, "key_id": _s(KEY_ID, 16)}
PATH["cert_id"] = _s(CERT_ID, 19)


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _text(description: str, media: str = "text/plain") -> dict[str, Any]:
    return {"description": description, "content": {media: {"schema": {"type": "string"}}}}


ERR = _json(_ref("Error"), "error with its reason")


def _op(
    summary: str,
    ok: dict[str, Any],
    *,
    status: str = "200",
    auth: bool = True,
    body: str | None = None,
    path: tuple[str, ...] = (),
    query: str | None = None,
    errors: tuple[str, ...] = ("400", "401", "403", "404"),
) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": summary, "responses": {status: ok}}
    for code in errors:
        op["responses"][code] = ERR
    if not auth:
        op["security"] = []
    params = [{"name": p, "in": "path", "required": True, "schema": PATH[p]} for p in path]
    if query:
        params += [
            {"name": n, "in": "query", "required": n in REQUIRED_QUERY[query], "schema": s}
            for n, s in QUERY[query].items()
        ]
    if params:
        op["parameters"] = params
    if body:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref(body)}},
        }
    return op


def _paths() -> dict[str, Any]:
    no_content = {"description": "done"}
    public = ("400", "404")
    return {
        "/api/health": {
            "get": _op(
                "LDAP and CA are usable",
                _json({"type": "object"}, "healthy"),
                auth=False,
                errors=("503",),
            )
        },
        "/api/userca": {"get": _op("user CA public key", _text("key line"), auth=False, errors=())},
        "/api/hostca": {"get": _op("host CA public key", _text("key line"), auth=False, errors=())},
        "/api/krl": {
            "get": _op(
                "the key revocation list",
                _text("KRL", "application/octet-stream"),
                auth=False,
                errors=(),
            )
        },
        "/api/authkeys": {
            "get": _op(
                "authorized_keys of a user on a host",
                _text("keys"),
                auth=False,
                query="authkeys",
                errors=public,
            )
        },
        "/api/authprinc": {
            "get": _op(
                "authorized principals for a certificate",
                _text("principals"),
                auth=False,
                query="authprinc",
                errors=public,
            )
        },
        "/api/usercert": {
            "get": _op(
                "a user's valid certificates",
                _text("certificate lines"),
                auth=False,
                query="usercert",
                errors=public,
            )
        },
        "/api/hostcert": {
            "get": _op(
                "a host's valid certificates",
                _text("certificate lines"),
                auth=False,
                query="hostcert",
                errors=public,
            )
        },
        "/api/login": {
            "post": _op(
                "log in with an LDAP password",
                _json(_ref("LoginResult"), "token"),
                auth=False,
                body="Login",
                errors=("400", "401"),
            )
        },
        "/api/logout": {
            "post": _op("revoke the token in use", no_content, status="204", errors=("401",))
        },
        "/api/whoami": {
            "get": _op("the logged-in user", _json(_ref("User"), "user"), errors=("401",))
        },
        "/api/users": {
            "get": _op(
                "list users (admin)",
                _json({"type": "array", "items": _ref("User")}, "users"),
                errors=("401", "403"),
            ),
            "post": _op(
                "create a user (admin)",
                _json(_ref("User"), "created"),
                status="201",
                body="UserCreate",
                errors=("400", "401", "403", "404", "409"),
            ),
        },
        "/api/users/{username}": {
            "get": _op("one user (self or admin)", _json(_ref("User"), "user"), path=("username",)),
            "patch": _op(
                "update a user (self: names, mail, password; admin: all)",
                _json(_ref("User"), "user"),
                path=("username",),
                body="UserUpdate",
            ),
            "delete": _op(
                "delete a user, revoking their keys and certificates (admin)",
                no_content,
                status="204",
                path=("username",),
            ),
        },
        "/api/users/{username}/keys": {
            "get": _op(
                "a user's keys",
                _json({"type": "array", "items": _ref("Key")}, "keys"),
                path=("username",),
            ),
            "post": _op(
                "add a public key",
                _json(_ref("Key"), "added"),
                status="201",
                path=("username",),
                body="KeyCreate",
                errors=("400", "401", "403", "404", "409"),
            ),
        },
        "/api/users/{username}/keys/{key_id}": {
            "delete": _op(
                "remove a key and revoke it in the KRL",
                no_content,
                status="204",
                path=("username", "key_id"),
            ),
        },
        "/api/users/{username}/certs": {
            "get": _op(
                "a user's certificates",
                _json({"type": "array", "items": _ref("Cert")}, "certs"),
                path=("username",),
            ),
            "post": _op(
                "sign a user certificate",
                _json(_ref("Cert"), "signed"),
                status="201",
                path=("username",),
                body="UserCertCreate",
            ),
        },
        "/api/users/{username}/certs/{cert_id}": {
            "delete": _op(
                "revoke a user certificate", no_content, status="204", path=("username", "cert_id")
            ),
        },
        "/api/hosts": {
            "get": _op(
                "list hosts (admin)",
                _json({"type": "array", "items": _ref("Host")}, "hosts"),
                errors=("401", "403"),
            ),
            "post": _op(
                "create a host (admin)",
                _json(_ref("Host"), "created"),
                status="201",
                body="HostCreate",
                errors=("400", "401", "403", "404", "409"),
            ),
        },
        "/api/hosts/{hostname}": {
            "get": _op("one host (admin)", _json(_ref("Host"), "host"), path=("hostname",)),
            "patch": _op(
                "update a host (admin)",
                _json(_ref("Host"), "host"),
                path=("hostname",),
                body="HostUpdate",
            ),
            "delete": _op(
                "delete a host, revoking its certificates (admin)",
                no_content,
                status="204",
                path=("hostname",),
            ),
        },
        "/api/hosts/{hostname}/certs": {
            "post": _op(
                "sign a host certificate (admin)",
                _json(_ref("Cert"), "signed"),
                status="201",
                path=("hostname",),
                body="HostCertCreate",
            ),
        },
        "/api/hosts/{hostname}/certs/{cert_id}": {
            "delete": _op(
                "revoke a host certificate (admin)",
                no_content,
                status="204",
                path=("hostname", "cert_id"),
            ),
        },
        "/api/groups": {
            "get": _op(
                "list groups (admin)",
                _json({"type": "array", "items": _ref("Group")}, "groups"),
                errors=("401", "403"),
            ),
            "post": _op(
                "create a group (admin)",
                _json(_ref("Group"), "created"),
                status="201",
                body="GroupCreate",
                errors=("400", "401", "403", "404", "409"),
            ),
        },
        "/api/groups/{group}": {
            "get": _op("one group (admin)", _json(_ref("Group"), "group"), path=("group",)),
            "patch": _op(
                "update a group (admin)",
                _json(_ref("Group"), "group"),
                path=("group",),
                body="GroupUpdate",
            ),
            "delete": _op(
                "delete a group (admin; KeyperAdmins and AllHosts are protected)",
                no_content,
                status="204",
                path=("group",),
            ),
        },
    }


def document() -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {"title": "keyper SSH CA API", "version": __version__},
        "paths": _paths(),
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
    }
