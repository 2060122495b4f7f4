"""Lists and maps as complex-bash-env variables; #PYTHON2BASH: and #JSON2BASH: values."""

from __future__ import annotations

import pytest

from lightbase.env.complex import MAX_VARIABLES, DecodeError, expand

T = "#COMPLEX_BASH_ENV:TABLE:"
R = "#COMPLEX_BASH_ENV:ROW:"


def test_scalar_is_one_variable():
    assert expand("A", "1e3") == [("A", "1e3")]


def test_list_becomes_table_of_rows():
    assert expand("L", ["a", "b"]) == [
        ("L", f"{T} L_ROW_1 L_ROW_2"),
        ("L_ROW_1", "a"),
        ("L_ROW_2", "b"),
    ]


def test_single_key_map_becomes_row():
    assert expand("M", {"k": "v"}) == [
        ("M", f"{R} M_KEY M_VALUE"),
        ("M_KEY", "k"),
        ("M_VALUE", "v"),
    ]


def test_multi_key_map_keeps_every_key_in_order():
    assert expand("M", {"k1": "v1", "k2": "v2", "k0": "v0"}) == [
        ("M", f"{T} M_ROW_1 M_ROW_2 M_ROW_3"),
        ("M_ROW_1", f"{R} M_ROW_1_KEY M_ROW_1_VALUE"),
        ("M_ROW_1_KEY", "k1"),
        ("M_ROW_1_VALUE", "v1"),
        ("M_ROW_2", f"{R} M_ROW_2_KEY M_ROW_2_VALUE"),
        ("M_ROW_2_KEY", "k2"),
        ("M_ROW_2_VALUE", "v2"),
        ("M_ROW_3", f"{R} M_ROW_3_KEY M_ROW_3_VALUE"),
        ("M_ROW_3_KEY", "k0"),
        ("M_ROW_3_VALUE", "v0"),
    ]


@pytest.mark.parametrize("empty", [[], {}])
def test_empty_list_and_map_are_an_empty_table(empty):
    assert expand("E", empty) == [("E", T)]


def test_nested_list_of_maps():
    value = [{"host": "a", "port": "389"}, {"host": "b"}, ["x", []]]
    assert dict(expand("S", value)) == {
        "S": f"{T} S_ROW_1 S_ROW_2 S_ROW_3",
        "S_ROW_1": f"{T} S_ROW_1_ROW_1 S_ROW_1_ROW_2",
        "S_ROW_1_ROW_1": f"{R} S_ROW_1_ROW_1_KEY S_ROW_1_ROW_1_VALUE",
        "S_ROW_1_ROW_1_KEY": "host",
        "S_ROW_1_ROW_1_VALUE": "a",
        "S_ROW_1_ROW_2": f"{R} S_ROW_1_ROW_2_KEY S_ROW_1_ROW_2_VALUE",
        "S_ROW_1_ROW_2_KEY": "port",
        "S_ROW_1_ROW_2_VALUE": "389",
        "S_ROW_2": f"{R} S_ROW_2_KEY S_ROW_2_VALUE",
        "S_ROW_2_KEY": "host",
        "S_ROW_2_VALUE": "b",
        "S_ROW_3": f"{T} S_ROW_3_ROW_1 S_ROW_3_ROW_2",
        "S_ROW_3_ROW_1": "x",
        "S_ROW_3_ROW_2": T,
    }


def test_map_value_that_is_a_list_is_encoded_under_value():
    assert expand("M", {"hosts": ["a", "b"]}) == [
        ("M", f"{R} M_KEY M_VALUE"),
        ("M_KEY", "hosts"),
        ("M_VALUE", f"{T} M_VALUE_ROW_1 M_VALUE_ROW_2"),
        ("M_VALUE_ROW_1", "a"),
        ("M_VALUE_ROW_2", "b"),
    ]


def test_element_strings_are_never_decoded_again():
    assert expand("L", ["1e3", "#JSON2BASH:[1]", "#PYTHON2BASH:[2]"]) == [
        ("L", f"{T} L_ROW_1 L_ROW_2 L_ROW_3"),
        ("L_ROW_1", "1e3"),
        ("L_ROW_2", "#JSON2BASH:[1]"),
        ("L_ROW_3", "#PYTHON2BASH:[2]"),
    ]


def test_json2bash_keeps_numbers_as_written():
    assert expand("J", '#JSON2BASH:{"a": 1.50, "b": [true, null, "1e3"]}') == [
        ("J", f"{T} J_ROW_1 J_ROW_2"),
        ("J_ROW_1", f"{R} J_ROW_1_KEY J_ROW_1_VALUE"),
        ("J_ROW_1_KEY", "a"),
        ("J_ROW_1_VALUE", "1.50"),
        ("J_ROW_2", f"{R} J_ROW_2_KEY J_ROW_2_VALUE"),
        ("J_ROW_2_KEY", "b"),
        ("J_ROW_2_VALUE", f"{T} J_ROW_2_VALUE_ROW_1 J_ROW_2_VALUE_ROW_2 J_ROW_2_VALUE_ROW_3"),
        ("J_ROW_2_VALUE_ROW_1", "true"),
        ("J_ROW_2_VALUE_ROW_2", ""),
        ("J_ROW_2_VALUE_ROW_3", "1e3"),
    ]


def test_python2bash_keeps_numbers_as_written_and_lowercases_constants():
    value = "#PYTHON2BASH: ['a', 1.50, -3, 0x1F, True, False, None, ('t',), {'k': 'v'}]"
    assert dict(expand("P", value)) == {
        "P": f"{T} " + " ".join(f"P_ROW_{i}" for i in range(1, 10)),
        "P_ROW_1": "a",
        "P_ROW_2": "1.50",
        "P_ROW_3": "-3",
        "P_ROW_4": "0x1F",
        "P_ROW_5": "true",
        "P_ROW_6": "false",
        "P_ROW_7": "",
        "P_ROW_8": f"{T} P_ROW_8_ROW_1",
        "P_ROW_8_ROW_1": "t",
        "P_ROW_9": f"{R} P_ROW_9_KEY P_ROW_9_VALUE",
        "P_ROW_9_KEY": "k",
        "P_ROW_9_VALUE": "v",
    }


def test_marked_scalar_is_one_variable():
    assert expand("S", '#JSON2BASH:"plain"') == [("S", "plain")]
    assert expand("S", "#PYTHON2BASH:42") == [("S", "42")]


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("#JSON2BASH:[1,", "cannot decode #JSON2BASH: value: cannot parse JSON: expected a value"),
        ('#JSON2BASH:{"a": 1, "a": 2}', "cannot decode #JSON2BASH: value: duplicate key 'a'"),
        ("#JSON2BASH:", "cannot decode #JSON2BASH: value: cannot parse JSON"),
        ("#PYTHON2BASH:[1,", "cannot decode #PYTHON2BASH: value: not a Python literal"),
        (
            "#PYTHON2BASH:__import__('os').system('x')",
            "cannot decode #PYTHON2BASH: value: only literals are allowed, found Call",
        ),
        ("#PYTHON2BASH:{'a': 1, 'a': 2}", "cannot decode #PYTHON2BASH: value: duplicate key 'a'"),
        ("#PYTHON2BASH:{1, 2}", "cannot decode #PYTHON2BASH: value: only literals are allowed"),
        ("#PYTHON2BASH:b'x'", "cannot decode #PYTHON2BASH: value: only literals are allowed"),
        ("#PYTHON2BASH:{(1,): 2}", "cannot decode #PYTHON2BASH: value: a dict key must be"),
    ],
)
def test_undecodable_marked_value_is_an_error(value, reason):
    with pytest.raises(DecodeError) as caught:
        expand("X", value)
    assert str(caught.value).startswith(reason)


def test_error_message_never_contains_the_value():
    with pytest.raises(DecodeError) as caught:
        expand("X", "#PYTHON2BASH:hunter2secret")
    assert "hunter2secret" not in str(caught.value)


def test_value_exploding_into_too_many_variables_is_an_error():
    with pytest.raises(DecodeError, match=f"more than {MAX_VARIABLES} variables"):
        expand("X", ["x"] * MAX_VARIABLES)
