"""Safe, lossless YAML for environment files: every scalar is the text as it was written.

PyYAML's safe loader turns `0755` into 493, `1.50` into 1.5 and `yes` into True. Here the
implicit resolvers are removed, so a plain scalar stays a string; explicitly tagged standard
scalars (`!!int 0755`) keep their text too. Only `null`, `~` and an empty value are resolved,
to "". Any other tag (`!!python/object`, `!ref`, `!!set`, ...) is an error, as are duplicate
keys, keys that are lists or maps, merge keys (`<<`) and a top level that is not a mapping.
Map keys are always their text (`yes:` is the key "yes", `1:` the key "1").
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .raw import Entry, ParseProblem, RawValue

try:  # the C parser is several times faster; PyYAML built without libyaml still works
    _Base: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Base = yaml.SafeLoader

_TAG = "tag:yaml.org,2002:"
NULL_TAG = _TAG + "null"
SEQ_TAG = _TAG + "seq"
MAP_TAG = _TAG + "map"
# Standard scalar tags whose value we keep as written instead of converting it.
TEXT_TAGS = frozenset(_TAG + t for t in ("str", "int", "float", "bool", "timestamp", "binary"))


class TextLoader(_Base):  # type: ignore[misc]
    """A safe loader whose scalars are the text as written (see the module docstring)."""

    # Own, empty tables: never share (or change) PyYAML's class-level registries.
    yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012 - PyYAML's registry protocol
    yaml_constructors: dict[Any, Any] = {}  # noqa: RUF012


def _mark_line(node: Node) -> int:
    return node.start_mark.line + 1


def _construct_text(loader: TextLoader, node: ScalarNode) -> str:
    return str(node.value)


def _construct_empty(loader: TextLoader, node: ScalarNode) -> str:
    return ""


def _construct_list(loader: TextLoader, node: SequenceNode) -> list[RawValue]:
    return [loader.construct_object(child, deep=True) for child in node.value]


def _construct_map(loader: TextLoader, node: MappingNode) -> dict[str, RawValue]:
    result: dict[str, RawValue] = {}
    first_line: dict[str, int] = {}
    for key_node, value_node in node.value:
        key = key_text(key_node)
        if key in result:
            raise ParseProblem(
                _mark_line(key_node), f"duplicate key {key!r} (first at line {first_line[key]})"
            )
        first_line[key] = _mark_line(key_node)
        result[key] = loader.construct_object(value_node, deep=True)
    return result


def _refuse_tag(loader: TextLoader | None, node: Node) -> None:
    tag = "!!" + node.tag[len(_TAG) :] if node.tag.startswith(_TAG) else node.tag
    raise ParseProblem(_mark_line(node), f"tag {tag} is not allowed (plain data only)")


TextLoader.add_implicit_resolver(NULL_TAG, re.compile(r"^(?:~|null|Null|NULL|)$"), [*"~nN", ""])
for _tag in TEXT_TAGS:
    TextLoader.add_constructor(_tag, _construct_text)
TextLoader.add_constructor(NULL_TAG, _construct_empty)
TextLoader.add_constructor(SEQ_TAG, _construct_list)
TextLoader.add_constructor(MAP_TAG, _construct_map)
TextLoader.add_constructor(None, _refuse_tag)


def key_text(node: Node) -> str:
    """A map key as the text written; lists, maps, merge keys and other tags are errors."""
    if not isinstance(node, ScalarNode):
        kind = "list" if isinstance(node, SequenceNode) else "map"
        raise ParseProblem(_mark_line(node), f"a key must be a name, not a {kind}")
    if node.tag not in TEXT_TAGS and node.tag != NULL_TAG:
        _refuse_tag(None, node)
    if node.value == "<<" and not node.style:  # plain: None (Python parser) or "" (C parser)
        raise ParseProblem(_mark_line(node), "merge keys (<<) are not supported")
    if node.value == "":
        raise ParseProblem(_mark_line(node), "empty key")
    return str(node.value)


def parse_yaml(text: str, loader_class: type[TextLoader] = TextLoader) -> list[Entry]:
    """Top-level entries of one YAML document; an empty document has none."""
    loader = loader_class(text)
    try:
        root = loader.get_single_node()
        if root is None or (root.tag == NULL_TAG and root.value == ""):
            return []  # no document, or an empty one (`---` alone)
        if not isinstance(root, MappingNode) or root.tag != MAP_TAG:
            found = "a list" if isinstance(root, SequenceNode) else "a single value"
            raise ParseProblem(_mark_line(root), f"top level must be a mapping, found {found}")
        return _entries(loader, root)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        raise ParseProblem(line, f"cannot parse YAML: {error.problem or error.context}") from None
    except yaml.YAMLError as error:
        raise ParseProblem(None, f"cannot parse YAML: {error}") from None
    except RecursionError:
        raise ParseProblem(None, "cannot parse YAML: nested too deeply") from None
    finally:
        loader.dispose()


def _entries(loader: TextLoader, root: MappingNode) -> list[Entry]:
    entries: list[Entry] = []
    first_line: dict[str, int] = {}
    for key_node, value_node in root.value:
        name = key_text(key_node)
        line = _mark_line(key_node)
        if name in first_line:
            raise ParseProblem(line, f"duplicate key {name!r} (first at line {first_line[name]})")
        first_line[name] = line
        entries.append(Entry(name, loader.construct_object(value_node, deep=True), line))
    return entries
