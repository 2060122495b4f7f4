"""Parsing service.yaml: PyYAML's safe loader, refusing a key given twice.

A module of its own so that PyYAML (~30 ms to import) is loaded only when a service has a
service.yaml (`services.load_config` imports it then).
"""

from __future__ import annotations

import yaml

YAMLError = yaml.YAMLError

try:  # the C loader is several times faster; PyYAML without libyaml still works
    _BaseLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader = yaml.SafeLoader


class SafeLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """A safe loader that refuses a key given twice (the last one would silently win)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[object, object]:
        seen: set[object] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def parse(text: str) -> object:
    """The document's data; yaml.YAMLError (with problem_mark) when it cannot be parsed."""
    return yaml.load(text, Loader=SafeLoader)
