"""Request checking against the OpenAPI schemas: bodies, query strings and path values.
Every failure is ApiError(400) naming the field and the rule."""

from __future__ import annotations

from typing import Any

from flask import request
from jsonschema import Draft7Validator

from keyper import openapi
from keyper.errors import ApiError

_VALIDATORS = {name: Draft7Validator(schema) for name, schema in openapi.SCHEMAS.items()}


_SECRET_FIELDS = ("password", "secret", "token")


def _describe(error: Any) -> str:
    where = ".".join(str(p) for p in error.absolute_path) or "body"
    if any(word in where.lower() for word in _SECRET_FIELDS):
        # jsonschema's message quotes the value: never echo a rejected password back.
        return f"{where}: invalid value ({error.validator} rule)"
    if error.validator == "pattern":
        return f"{where}: does not match {error.validator_value}"
    if error.validator == "additionalProperties":
        return f"{where}: unknown field ({error.message})"
    return f"{where}: {error.message}"


def body(schema: str) -> dict[str, Any]:
    """The request's JSON body, validated against components.schemas[schema]."""
    data = request.get_json(silent=True)
    if data is None:
        raise ApiError(400, "expected a JSON body (Content-Type: application/json)")
    errors = sorted(_VALIDATORS[schema].iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        raise ApiError(400, _describe(errors[0]))
    if not isinstance(data, dict):
        raise ApiError(400, "body: expected an object")
    return data


def value(name: str, text: str, schema: dict[str, Any]) -> str:
    errors = list(Draft7Validator(schema).iter_errors(text))
    if errors:
        raise ApiError(400, f"{name}: invalid value ({errors[0].validator} rule)")
    return text


def path_value(name: str, text: str) -> str:
    return value(name, text, openapi.PATH[name])


def query(endpoint: str) -> dict[str, str]:
    """The query parameters of a public endpoint: required ones present, all well formed."""
    params: dict[str, str] = {}
    for name, schema in openapi.QUERY[endpoint].items():
        raw = request.values.get(name)
        if raw is None or raw == "":
            if name in openapi.REQUIRED_QUERY[endpoint]:
                raise ApiError(400, f"{name}: required")
            continue
        params[name] = value(name, raw, schema)
    return params
