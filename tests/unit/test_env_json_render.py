"""environment.json is written without the json module: byte for byte what json.dumps wrote."""

from __future__ import annotations

import json

import pytest

from lightbase.env.export import json_string, render_json

VALUES = [
    "",
    "plain value",
    'a "quoted" \\ back\\slash',
    "line\nbreak\r\ttab\bbs\fff",
    "".join(chr(c) for c in range(0x20)) + "\x7f",
    "caf\u00e9 \u20ac \u4e2d",
    "emoji \U0001f600 and \U00010000 \U0010ffff",
    "not utf-8: \udcff\udc80",  # bytes the process environment carried (surrogateescape)
    "lone \ud800 high",
    "/ slash ~ tilde",
]


@pytest.mark.parametrize("value", VALUES)
def test_json_string_is_what_json_dumps_writes(value: str) -> None:
    assert json_string(value) == json.dumps(value, ensure_ascii=True)


def test_every_code_point_below_0x800_is_escaped_as_json_does() -> None:
    text = "".join(chr(c) for c in range(0x800))
    assert json_string(text) == json.dumps(text, ensure_ascii=True)


def test_render_json_is_json_dumps_sorted_with_indent_2() -> None:
    values = {f"V{i}": v for i, v in enumerate(VALUES)} | {"A_FIRST": "x", "ü": "key not ascii"}
    expected = json.dumps(dict(sorted(values.items())), indent=2, ensure_ascii=True) + "\n"
    assert render_json(values) == expected


def test_render_json_of_no_variables_is_an_empty_object() -> None:
    assert render_json({}) == "{}\n"
    assert render_json({"A": "1"}) == '{\n  "A": "1"\n}\n'
