"""The YAML and JSON loaders: scalars keep their text, broken input names its line."""

from __future__ import annotations

import pytest
import yaml

from lightbase.env.jsonload import parse_json
from lightbase.env.raw import Entry, ParseProblem
from lightbase.env.yamlload import TextLoader, parse_yaml


class PurePythonTextLoader(yaml.SafeLoader):
    """The same tables on PyYAML's pure-Python parser (used when libyaml is missing)."""

    yaml_implicit_resolvers = TextLoader.yaml_implicit_resolvers
    yaml_constructors = TextLoader.yaml_constructors


@pytest.fixture(params=[TextLoader, PurePythonTextLoader], ids=["libyaml", "python"])
def load_yaml(request):
    return lambda text: parse_yaml(text, request.param)


def values(entries: list[Entry]) -> dict:
    return {e.name: e.value for e in entries}


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("0755", "0755"),
        ("1.50", "1.50"),
        ("true", "true"),
        ("True", "True"),
        ("yes", "yes"),
        ("off", "off"),
        ("1e3", "1e3"),
        ("0x1F", "0x1F"),
        ("0o17", "0o17"),
        (".inf", ".inf"),
        ("-0", "-0"),
        ("1_000", "1_000"),
        ("2001-12-14", "2001-12-14"),
        ("12:30:00", "12:30:00"),
        ("'0755'", "0755"),
        ('"a\\tb"', "a\tb"),
        ("'null'", "null"),
        ("null", ""),
        ("Null", ""),
        ("NULL", ""),
        ("~", ""),
        ("", ""),
        ("!!int 0755", "0755"),
        ("!!float 1.50", "1.50"),
        ("!!bool yes", "yes"),
        ("!!str 1.0", "1.0"),
        ("!!null x", ""),
        ("a b  c", "a b  c"),
        ("  spaced  ", "spaced"),
    ],
)
def test_yaml_scalar_keeps_text_as_written(load_yaml, written, expected):
    assert load_yaml(f"A: {written}\n") == [Entry("A", expected, 1)]


def test_yaml_block_scalars_keep_their_lines(load_yaml):
    text = "A: |\n  one\n  two\nB: >-\n  folded\n  text\n"
    assert values(load_yaml(text)) == {"A": "one\ntwo\n", "B": "folded text"}


def test_yaml_nested_values_keep_text_and_order(load_yaml):
    text = "L: [0755, 1.50, true, null, {b: 1, a: [x, '']}]\n"
    assert values(load_yaml(text)) == {
        "L": ["0755", "1.50", "true", "", {"b": "1", "a": ["x", ""]}]
    }


def test_yaml_records_the_line_of_every_top_level_key(load_yaml):
    text = "# comment\nA: 1\n\nB:\n  - x\n  - y\nC: z\n"
    assert [(e.name, e.line) for e in load_yaml(text)] == [("A", 2), ("B", 4), ("C", 7)]


@pytest.mark.parametrize(
    ("key", "name"),
    [
        ("yes", "yes"),
        ("1", "1"),
        ("true", "true"),
        ("null", "null"),
        ("0755", "0755"),
        ("'x'", "x"),
    ],
)
def test_yaml_keys_are_their_text(load_yaml, key, name):
    assert load_yaml(f"{key}: v\n") == [Entry(name, "v", 1)]


def test_yaml_aliases_are_expanded(load_yaml):
    assert values(load_yaml("A: &x [1, 2]\nB: *x\n")) == {"A": ["1", "2"], "B": ["1", "2"]}


@pytest.mark.parametrize("text", ["", "# only a comment\n", "---\n", "\n\n"])
def test_yaml_empty_document_defines_nothing(load_yaml, text):
    assert load_yaml(text) == []


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("A: 1\nB: 2\nA: 3\n", 3, "duplicate key 'A' (first at line 1)"),
        ("A:\n  k: 1\n  k: 2\n", 3, "duplicate key 'k' (first at line 2)"),
        ("- a\n- b\n", 1, "top level must be a mapping, found a list"),
        ("just text\n", 1, "top level must be a mapping, found a single value"),
        ("A: !!python/object:os.system x\n", 1, "tag !!python/object:os.system is not allowed"),
        ("A: !!python/name:os.system ''\n", 1, "tag !!python/name:os.system is not allowed"),
        ("A: !custom x\n", 1, "tag !custom is not allowed"),
        ("A: !!set {a, b}\n", 1, "tag !!set is not allowed"),
        ("A: !!omap [a: 1]\n", 1, "tag !!omap is not allowed"),
        ("B: 1\n[a, b]: 1\n", 2, "a key must be a name, not a list"),
        ("? {a: 1}\n: 1\n", 1, "a key must be a name, not a map"),
        ("A:\n  ? [x]\n  : 1\n", 2, "a key must be a name, not a list"),
        ("'': 1\n", 1, "empty key"),
        ("base: &b {x: 1}\nA:\n  <<: *b\n", 3, "merge keys (<<) are not supported"),
        ("A: [1, 2\n", 2, "cannot parse YAML"),
        ("A: 1\n  B: 2\n", 2, "cannot parse YAML: mapping values are not allowed"),
        ("A: 'open\n", 2, "cannot parse YAML"),
        ("A: 1\n---\nB: 2\n", 2, "cannot parse YAML: but found another document"),
        ("A: &r [*r]\n", 1, "cannot parse YAML: found unconstructable recursive node"),
        ("A: *nope\n", 1, "cannot parse YAML: found undefined alias"),
    ],
)
def test_yaml_broken_input_names_line_and_reason(load_yaml, text, line, reason):
    with pytest.raises(ParseProblem) as caught:
        load_yaml(text)
    assert caught.value.line == line
    assert caught.value.reason.startswith(reason)


def test_yaml_quoted_merge_key_is_an_ordinary_key(load_yaml):
    assert values(load_yaml('A:\n  "<<": 1\n')) == {"A": {"<<": "1"}}


def test_yaml_loader_leaves_pyyaml_safe_loader_untouched():
    assert yaml.safe_load("A: 0755") == {"A": 493}


def test_json_numbers_and_constants_become_text():
    text = '{"A": 1.50, "B": 0, "C": -2e-3, "D": true, "E": false, "F": null, "G": "0755"}'
    assert values(parse_json(text)) == {
        "A": "1.50",
        "B": "0",
        "C": "-2e-3",
        "D": "true",
        "E": "false",
        "F": "",
        "G": "0755",
    }


def test_json_nested_values_keep_text_and_order():
    text = '{"L": [1.0, {"z": null, "a": [true, "1e3"]}], "M": {}}'
    assert values(parse_json(text)) == {
        "L": ["1.0", {"z": "", "a": ["true", "1e3"]}],
        "M": {},
    }


def test_json_records_the_line_of_every_top_level_key():
    text = '{\n  "A": 1,\n  "B": {\n    "A": 2\n  },\n  "C": [\n  ]\n}\n'
    assert [(e.name, e.line) for e in parse_json(text)] == [("A", 2), ("B", 3), ("C", 6)]


@pytest.mark.parametrize("text", ["", "  \n\t\n"])
def test_json_empty_file_defines_nothing(text):
    assert parse_json(text) == []


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ('{"A": 1,\n "B": 2,\n "A": 3}', 3, "duplicate key 'A' (first at line 1)"),
        ('{"A": {"k": 1,\n "k": 2}}', 2, "duplicate key 'k' (first at line 1)"),
        ("[1, 2]", 1, "top level must be an object, found an array"),
        ('\n\n"text"', 3, "top level must be an object, found a single value"),
        ('{"A": 1,}', 1, "cannot parse JSON: expected a key in double quotes"),
        ('{"A": 0755}', 1, "cannot parse JSON: expected ',' or '}'"),
        ('{\n"A" 1}', 2, "cannot parse JSON: expected ':' after the key"),
        ('{"A": }', 1, "cannot parse JSON: expected a value"),
        ('{"A": [1 2]}', 1, "cannot parse JSON: expected ',' or ']'"),
        ('{"A": 1}\n{"B": 2}', 2, "cannot parse JSON: extra data after the value"),
        ('{"A": "open', 1, "cannot parse JSON: invalid string"),
        ('{"A": "tab\there"}', 1, "cannot parse JSON: invalid string"),
        ('{"A": "\\x"}', 1, "cannot parse JSON: invalid string"),
        ('{"A": "\\ud800"}', 1, "cannot parse JSON: invalid \\u escape (a lone surrogate)"),
        ('{"A": NaN}', 1, "cannot parse JSON: expected a value"),
        ('{"A": .5}', 1, "cannot parse JSON: expected a value"),
        ('{"A": tru}', 1, "cannot parse JSON: expected a value"),
        ("{\n\n", 3, "cannot parse JSON"),
        ("[" * 300 + "]" * 300, 1, "cannot parse JSON: nested too deeply"),
    ],
)
def test_json_broken_input_names_line_and_reason(text, line, reason):
    with pytest.raises(ParseProblem) as caught:
        parse_json(text)
    assert caught.value.line == line
    assert caught.value.reason.startswith(reason)


def test_json_string_escapes_are_decoded():
    text = '{"A": "q\\"b\\\\s\\/\\n\\t\\u00e9\\ud83d\\ude00"}'
    assert values(parse_json(text)) == {"A": 'q"b\\s/\n\té\U0001f600'}


def test_json_whitespace_and_unicode_keys():
    assert parse_json(' \r\n\t{ "é" : [ ] , "B":{ } }\n') == [Entry("é", [], 2), Entry("B", {}, 2)]
