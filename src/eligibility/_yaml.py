"""Safe YAML reading for policy files, complaints and case fixtures.

PyYAML's safe loader already refuses to build objects, but it silently keeps the last of two
duplicate keys; in a rule file that hides a mistake, so duplicates are an error here.
"""

from __future__ import annotations

import contextlib
from typing import Any

import yaml


class DuplicateKeyError(yaml.constructor.ConstructorError):
    pass


class _StrictLoader(yaml.SafeLoader):
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=deep)
            try:
                duplicate = key in seen
            except TypeError:
                duplicate = False
            if duplicate:
                raise DuplicateKeyError(
                    None,
                    None,
                    f"duplicate key {key!r}",
                    key_node.start_mark,
                )
            with contextlib.suppress(TypeError):
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


def load_yaml(text: str) -> Any:
    """Parse YAML (or JSON, a subset of it) without running code and without duplicate keys."""
    return yaml.load(text, Loader=_StrictLoader)


YAMLError = yaml.YAMLError
