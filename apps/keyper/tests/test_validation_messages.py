"""Validation errors name the field and the rule, and never echo a secret value back."""

from __future__ import annotations

from jsonschema import Draft7Validator

from keyper.validation import _describe

SCHEMA = {
    "type": "object",
    "properties": {
        "password": {"type": "string", "minLength": 8},
        "name": {"type": "string", "minLength": 3},
    },
}


def _message(instance: dict[str, object]) -> str:
    (error,) = Draft7Validator(SCHEMA).iter_errors(instance)
    return _describe(error)


def test_a_rejected_password_is_not_echoed() -> None:
    assert _message({"password": "shortpw"}) == "password: invalid value (minLength rule)"


def test_other_fields_say_what_was_wrong() -> None:
    assert _message({"name": "ab"}) == "name: 'ab' is too short"
