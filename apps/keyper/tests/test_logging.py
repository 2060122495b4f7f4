"""No secret reaches a log line: passwords and tokens stay out of the API's logs."""

from __future__ import annotations

import logging

import pytest
from flask.testing import FlaskClient

from conftest import ADMIN_PASSWORD


def test_failed_logins_and_user_creation_log_no_password_or_token(
    client: FlaskClient, admin: dict, unique: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client.post("/api/login", json={"username": "admin", "password": "Wrong-Secret-1"})
    body = {"username": f"log{unique}", "surname": "S", "password": "Created-Secret-2"}
    client.post("/api/users", json=body, headers=admin)
    client.post("/api/users", json=body, headers=admin)  # 409, logged
    client.get("/api/whoami", headers={"Authorization": "Bearer forged.token.value"})
    text = caplog.text
    assert "POST /api/login -> 401 invalid username or password" in text
    assert "POST /api/users -> 409" in text
    token = admin["Authorization"].split()[1]
    for secret in ("Wrong-Secret-1", "Created-Secret-2", ADMIN_PASSWORD, token, "forged.token"):
        assert secret not in text
