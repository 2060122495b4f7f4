"""The Python literal of a `#PYTHON2BASH:` value, as data and without evaluating anything.

Like `ast.literal_eval` restricted to strings, numbers, True/False/None, lists, tuples and
dicts, except that numbers keep the text they were written with (`1.50` stays "1.50", `0x1F`
stays "0x1F"), True/False/None become "true"/"false"/"" as in YAML and JSON, and a
duplicate dict key is an error instead of silently keeping the last one.
"""

from __future__ import annotations

import ast

from .raw import RawValue

_NUMBER_TYPES = (int, float, complex)


def parse_literal(text: str) -> RawValue:
    """ValueError (without the text itself, which may be secret) when it is not a literal."""
    text = text.strip()
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as error:
        raise ValueError(f"not a Python literal ({error.msg})") from None
    except (RecursionError, MemoryError):
        raise ValueError("nested too deeply") from None
    return _convert(tree.body, text)


def _scalar(node: ast.expr, text: str) -> str | None:
    """The text of a scalar literal; None when the node is not one."""
    if isinstance(node, ast.Constant):
        if node.value is True:
            return "true"
        if node.value is False:
            return "false"
        if node.value is None:
            return ""
        if isinstance(node.value, str):
            return node.value
        if isinstance(node.value, _NUMBER_TYPES):
            return ast.get_source_segment(text, node) or str(node.value)
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, (ast.USub, ast.UAdd))
        and isinstance(node.operand, ast.Constant)
        and isinstance(node.operand.value, _NUMBER_TYPES)
        and not isinstance(node.operand.value, bool)
    ):
        return ast.get_source_segment(text, node)
    return None


def _convert(node: ast.expr, text: str) -> RawValue:
    scalar = _scalar(node, text)
    if scalar is not None:
        return scalar
    if isinstance(node, (ast.List, ast.Tuple)):
        return [_convert(item, text) for item in node.elts]
    if isinstance(node, ast.Dict):
        result: dict[str, RawValue] = {}
        for key_node, value_node in zip(node.keys, node.values, strict=True):
            key = _scalar(key_node, text) if key_node is not None else None
            if key is None:
                raise ValueError("a dict key must be a string, number, True, False or None")
            if key in result:
                raise ValueError(f"duplicate key {key!r}")
            result[key] = _convert(value_node, text)
        return result
    raise ValueError(f"only literals are allowed, found {type(node).__name__}")
