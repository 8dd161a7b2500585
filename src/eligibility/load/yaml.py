"""Safe YAML reading for policy files, complaints and case fixtures.

PyYAML's safe loader already refuses to build objects, but it silently keeps the last of two
duplicate keys (in a rule file that hides a mistake), raises a bare ValueError for an impossible
date such as 2026-13-01, and recurses without bound on deep nesting. Here duplicates and nesting
become one error type with a short message that says where, and an impossible date is kept as
text so that the model reading it names the field.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

import yaml

from ..errors import shown


class YAMLError(ValueError):
    """The text is not YAML this project can read; the message names line and column."""


# libyaml's parser when PyYAML was built with it (the wheels are): several times faster than the
# pure-Python one, with the same safe constructors, which are what the checks below extend.
_SafeBase: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_SafeBase):  # type: ignore[valid-type,misc]
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=deep)
            duplicate = False
            with contextlib.suppress(TypeError):
                duplicate = key in seen
                seen.add(key)
            if duplicate:
                mark = key_node.start_mark
                raise YAMLError(f"line {mark.line + 1}, column {mark.column + 1}: "
                                f"duplicate key {key!r}")
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping

    def construct_lenient_timestamp(self, node: yaml.ScalarNode) -> Any:
        """An impossible date (2026-13-01) stays text, so the reader can say which field it is."""
        try:
            return self.construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp",
                              _StrictLoader.construct_lenient_timestamp)


def unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook`` for ``json.loads``: JSON objects refuse duplicate keys too, as YAML
    mappings do here, so one of two values is never kept silently."""
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise ValueError(f"duplicate key {shown(key)}")
            seen.add(key)
    return out


def _not_a_number(word: str) -> Any:
    raise ValueError(f"{word} is not a JSON number")


def strict_json(text: str) -> Any:
    """JSON as RFC 8259 defines it: no ``NaN`` or ``Infinity`` (Python's reader takes them, no
    other does), no duplicate keys. A ValueError (or RecursionError) otherwise."""
    return json.loads(text, object_pairs_hook=unique_keys, parse_constant=_not_a_number)


def load_yaml(text: str) -> Any:
    """Parse YAML (or JSON, a subset of it) without running code and without duplicate keys."""
    try:
        return yaml.load(text, Loader=_StrictLoader)  # safe constructors: builds no objects
    except YAMLError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise YAMLError(f"{where}{exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise YAMLError(str(exc)) from None
    except (ValueError, OverflowError) as exc:  # e.g. a timestamp that is not a real date
        raise YAMLError(f"a value cannot be read: {exc}") from None
    except RecursionError:
        raise YAMLError("the document is nested too deeply") from None


def parse_document(text: str, name: str) -> Any:
    """JSON or YAML, chosen by the file name or, failing that, by the first character.

    JSON is read by a JSON parser (not as YAML) so its errors point at JSON positions; both
    refuse duplicate keys, which would otherwise silently keep one of two values.
    """
    looks_json = name.endswith(".json") or text.lstrip()[:1] in ("{", "[")
    if looks_json:
        try:
            return strict_json(text)
        except json.JSONDecodeError as exc:
            if name.endswith(".json"):
                raise ValueError(f"not valid JSON: {exc}") from None
        except ValueError as exc:
            raise ValueError(f"not valid JSON: {exc}") from None
        except RecursionError:
            raise ValueError("nested too deeply") from None
    try:
        return load_yaml(text)
    except YAMLError as exc:
        raise ValueError(f"not valid YAML: {exc}") from None
    except RecursionError:
        raise ValueError("nested too deeply") from None


def parse_complaint_file(raw: bytes, name: str) -> Any:
    """A complaint file's content: one complaint, or a non-empty list of them (JSON or YAML,
    UTF-8 with or without a byte-order mark); ValueError says why it cannot be read."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 text: {exc}") from None
    data = parse_document(text, name)
    if data == []:
        raise ValueError("the list holds no complaints")
    return data
