"""Property-based run of schemathesis against the served OpenAPI document: no 5xx, status codes
and content types as documented, responses matching their schemas, invalid input refused.
Bounded (a few examples per operation) so it finishes in about a minute."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from keyper.app import create_app
from keyper.config import Settings
from keyper.sshca import CertificateAuthority

from conftest import TOKEN_SECRET
from slapd import start_slapd

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    # its own slapd and CA: the fuzzer changes passwords and fails logins (ppolicy lockout)
    work = tmp_path_factory.mktemp("fuzz")
    env = {"LDAP_DOMAIN": "fuzz.test", "LDAP_ADMIN_PASSWORD": "fuzz-admin-pw-1"}
    server = start_slapd(work / "ldap", env)
    env |= {
        "LDAP_URI": server.uri,
        "SSH_CA_DIR": str(Path(work) / "ca"),
        "KEYPER_TOKEN_SECRET": TOKEN_SECRET,
    }
    CertificateAuthority(Settings.from_environ(env)).ensure()
    yield create_app(env)
    server.stop()


schema = schemathesis.pytest.from_fixture("fuzz_schema")


@pytest.fixture(scope="module")
def fuzz_schema(fuzz_app: Flask) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_wsgi("/api/openapi.json", fuzz_app)


@schema.parametrize()
@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_conforms_to_its_openapi_document(case: schemathesis.Case, fuzz_app: Flask) -> None:
    # a fresh admin token per case: the fuzzer also calls /api/logout
    token, _ = fuzz_app.extensions["keyper"].tokens.issue("admin")
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
