"""Login, logout, roles, and users/hosts/groups CRUD against the real slapd."""

from __future__ import annotations

from urllib.parse import quote

from flask import Flask
from flask.testing import FlaskClient

from keyper.app import create_app

from conftest import ADMIN_PASSWORD, login, make_user


def test_login_returns_an_expiring_token_and_admin_flag(client: FlaskClient) -> None:
    reply = client.post("/api/login", json={"username": "admin", "password": ADMIN_PASSWORD})
    data = reply.get_json()
    assert reply.status_code == 200
    assert data["username"] == "admin" and data["admin"] is True
    assert data["expires_at"].endswith("Z") and data["token"].count(".") == 2


def test_wrong_password_and_unknown_user_get_the_same_401(client: FlaskClient) -> None:
    for body in (
        {"username": "admin", "password": "wrong"},
        {"username": "nobody", "password": "whatever"},
    ):
        reply = client.post("/api/login", json=body)
        assert reply.status_code == 401
        assert reply.get_json() == {"error": "invalid username or password"}


def test_empty_password_is_refused_before_any_bind(client: FlaskClient) -> None:
    # an empty password would be an LDAP "unauthenticated bind", which succeeds
    reply = client.post("/api/login", json={"username": "admin", "password": ""})
    assert reply.status_code == 400
    assert reply.get_json() == {"error": "password: invalid value (minLength rule)"}


def test_logout_revokes_the_token_for_every_worker(app: Flask, environ: dict) -> None:
    # a second app instance stands in for another gunicorn worker: no shared memory
    other_worker = create_app(environ).test_client()
    client = app.test_client()
    headers = login(client, "admin", ADMIN_PASSWORD)
    assert other_worker.get("/api/whoami", headers=headers).status_code == 200
    assert client.post("/api/logout", headers=headers).status_code == 204
    reply = other_worker.get("/api/whoami", headers=headers)
    assert reply.status_code == 401 and reply.get_json() == {"error": "token revoked"}


def test_token_signed_with_another_secret_is_rejected(app: Flask, environ: dict) -> None:
    forger = create_app({**environ, "KEYPER_TOKEN_SECRET": "another-secret-0123456789abcdefgh"})
    headers = login(forger.test_client(), "admin", ADMIN_PASSWORD)
    reply = app.test_client().get("/api/whoami", headers=headers)
    assert reply.status_code == 401 and reply.get_json() == {"error": "invalid token"}


def test_missing_token_is_401(client: FlaskClient) -> None:
    assert client.get("/api/users").status_code == 401


def test_user_crud_round_trip(client: FlaskClient, admin: dict, unique: str) -> None:
    name = f"alice{unique}"
    created = make_user(client, admin, name, given_name="Alice", mail=f"{name}@x.test")
    assert created["username"] == name and created["principals"] == [name]
    assert created["locked"] is False and created["admin"] is False
    reply = client.patch(f"/api/users/{name}", json={"surname": "Liddell"}, headers=admin)
    assert reply.status_code == 200 and reply.get_json()["surname"] == "Liddell"
    names = [u["username"] for u in client.get("/api/users", headers=admin).get_json()]
    assert name in names
    assert client.delete(f"/api/users/{name}", headers=admin).status_code == 204
    assert client.get(f"/api/users/{name}", headers=admin).status_code == 404


def test_creating_an_existing_user_is_409(client: FlaskClient, admin: dict, unique: str) -> None:
    make_user(client, admin, f"dup{unique}")
    body = {"username": f"dup{unique}", "surname": "X", "password": "password-1"}
    reply = client.post("/api/users", json=body, headers=admin)
    assert reply.status_code == 409


def test_non_admin_cannot_list_users_or_read_others(
    client: FlaskClient, admin: dict, unique: str
) -> None:
    make_user(client, admin, f"bob{unique}")
    bob = login(client, f"bob{unique}", f"pw-of-bob{unique}")
    assert client.get("/api/users", headers=bob).status_code == 403
    assert client.get("/api/users/admin", headers=bob).status_code == 403
    assert client.get(f"/api/users/bob{unique}", headers=bob).status_code == 200


def test_a_user_named_like_the_admin_group_is_not_an_admin(
    client: FlaskClient, admin: dict
) -> None:
    # the original's role test was a substring match; membership is an exact DN match here
    make_user(client, admin, "keyperadmins")
    user = login(client, "keyperadmins", "pw-of-keyperadmins")
    assert client.get("/api/users", headers=user).status_code == 403


def test_self_service_may_change_password_but_not_groups(
    client: FlaskClient, admin: dict, unique: str
) -> None:
    name = f"carol{unique}"
    make_user(client, admin, name)
    me = login(client, name, f"pw-of-{name}")
    reply = client.patch(f"/api/users/{name}", json={"groups": ["KeyperAdmins"]}, headers=me)
    assert reply.status_code == 403
    reply = client.patch(f"/api/users/{name}", json={"password": "new-password-1"}, headers=me)
    assert reply.status_code == 200
    login(client, name, "new-password-1")


def test_locked_user_cannot_log_in_and_token_stops_working(
    client: FlaskClient, admin: dict, unique: str
) -> None:
    name = f"dave{unique}"
    make_user(client, admin, name)
    me = login(client, name, f"pw-of-{name}")
    reply = client.patch(f"/api/users/{name}", json={"locked": True}, headers=admin)
    assert reply.get_json()["locked"] is True
    assert client.get("/api/whoami", headers=me).status_code == 401
    body = {"username": name, "password": f"pw-of-{name}"}
    assert client.post("/api/login", json=body).status_code == 401
    client.patch(f"/api/users/{name}", json={"locked": False}, headers=admin)
    login(client, name, f"pw-of-{name}")


def test_admin_user_cannot_be_deleted_or_locked(client: FlaskClient, admin: dict) -> None:
    assert client.delete("/api/users/admin", headers=admin).status_code == 403
    reply = client.patch("/api/users/admin", json={"locked": True}, headers=admin)
    assert reply.status_code == 403


def test_host_crud_joins_all_hosts(client: FlaskClient, admin: dict, unique: str) -> None:
    name = f"web{unique}.example.org"
    reply = client.post("/api/hosts", json={"hostname": name, "description": "web"}, headers=admin)
    assert reply.status_code == 201
    assert reply.get_json()["groups"] == ["AllHosts"]
    assert reply.get_json()["principals"] == [name]
    reply = client.patch(f"/api/hosts/{name}", json={"description": "web 2"}, headers=admin)
    assert reply.get_json()["description"] == "web 2"
    assert client.delete(f"/api/hosts/{name}", headers=admin).status_code == 204
    assert client.get(f"/api/hosts/{name}", headers=admin).status_code == 404


def test_group_name_with_dn_special_characters_round_trips(
    client: FlaskClient, admin: dict, unique: str
) -> None:
    name = f'ops,team+1 "x"\\;<y>=#{unique}'
    make_user(client, admin, f"erin{unique}")
    body = {"name": name, "users": [f"erin{unique}"]}
    reply = client.post("/api/groups", json=body, headers=admin)
    assert reply.status_code == 201, reply.get_json()
    assert reply.get_json() == {
        "name": name,
        "description": "",
        "users": [f"erin{unique}"],
        "hosts": [],
    }
    user = client.get(f"/api/users/erin{unique}", headers=admin).get_json()
    assert user["groups"] == [name]
    path = "/api/groups/" + quote(name, safe="")
    reply = client.patch(path, json={"users": []}, headers=admin)
    assert reply.get_json()["users"] == []
    assert client.delete(path, headers=admin).status_code == 204


def test_protected_groups_cannot_be_deleted(client: FlaskClient, admin: dict) -> None:
    for name in ("KeyperAdmins", "AllHosts"):
        reply = client.delete(f"/api/groups/{name}", headers=admin)
        assert reply.status_code == 403


def test_bad_input_gets_400_with_a_reason(client: FlaskClient, admin: dict) -> None:
    reply = client.post(
        "/api/users",
        json={"username": "x*)(cn=*", "surname": "s", "password": "password1"},
        headers=admin,
    )
    assert reply.status_code == 400
    assert reply.get_json()["error"].startswith("username: does not match")
    reply = client.post("/api/users", data="not json", headers=admin)
    assert reply.status_code == 400
    reply = client.get("/api/authkeys?username=*&host=h1")
    assert (
        reply.status_code == 400
        and reply.get_json()["error"] == "username: invalid value (pattern rule)"
    )


def test_filter_injection_through_the_directory_layer_finds_nothing(app: Flask) -> None:
    from keyper.context import directory

    with app.app_context():
        assert directory().find_user("*") is None
        assert directory().find_user("admin)(cn=*") is None
        assert directory().groups_of("*") == []
