"""YAML and JSON documents read as plain values whose strings remember where they are.

Deployment files are read as data, never evaluated: mappings become ``dict``, sequences
``list``, strings :class:`Located` (a ``str`` with its span) and anything tagged with a
CloudFormation short form (``!Ref``, ``!Sub``...) an :class:`Intrinsic`, which no reader
takes for a literal.
"""

from __future__ import annotations

import json
import json.decoder
import json.scanner
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from leak_lsp.analysis.model import Span
from leak_lsp.analysis.text import LineIndex

if TYPE_CHECKING:
    import yaml


class Located(str):
    """A string value of a deployment file with the span of its text (inside any quotes)."""

    span: Span

    def __new__(cls, value: str, span: Span) -> Located:
        located = super().__new__(cls, value)
        located.span = span
        return located


class Intrinsic:
    """A value computed by the platform at deploy time (``!Ref``, ``!Sub``...): never a literal."""

    def __init__(self, tag: str) -> None:
        self.tag = tag

    def __repr__(self) -> str:
        return f"Intrinsic({self.tag})"


class DocumentError(ValueError):
    """A document that is not valid YAML or JSON, with where the reader stopped."""

    def __init__(self, message: str, span: Span) -> None:
        super().__init__(message)
        self.span = span


def mapping_of(value: object) -> Mapping[str, Any]:
    """``value`` when it is a mapping, else an empty one: documents may hold anything anywhere."""
    return value if isinstance(value, Mapping) else {}


def read_yaml(text: str) -> Any:
    """The first YAML document of ``text``; ``None`` when it is empty."""
    import yaml  # imported here: most checks read no YAML, and importing it costs more than most files' analysis

    lines = LineIndex(text)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        return None if root is None else _YamlValues(lines).convert(root)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        offset = mark.index if mark is not None else 0
        raise DocumentError(f"not valid YAML: {error.problem or error}", _point(lines, offset)) from None
    except yaml.YAMLError as error:
        raise DocumentError(f"not valid YAML: {error}", _point(lines, 0)) from None
    except RecursionError:
        raise DocumentError("not valid YAML: nested too deeply", _point(lines, 0)) from None


def read_json(text: str) -> Any:
    """The JSON value of ``text``."""
    lines = LineIndex(text)
    decoder = json.JSONDecoder()

    def located_string(source: str, end: int, strict: bool = True) -> tuple[Located, int]:
        value, after = json.decoder.scanstring(source, end, strict)  # type: ignore[attr-defined]
        return Located(value, Span(lines.position(end), lines.position(after - 1))), after

    # The pure-Python scanner parses string values through ``parse_string`` (the C one does not).
    decoder.parse_string = located_string  # type: ignore[attr-defined]
    decoder.scan_once = json.scanner.py_make_scanner(decoder)  # type: ignore[attr-defined]
    try:
        return decoder.decode(text)
    except json.JSONDecodeError as error:
        raise DocumentError(f"not valid JSON: {error.msg}", _point(lines, error.pos)) from None
    except RecursionError:
        raise DocumentError("not valid JSON: nested too deeply", _point(lines, 0)) from None


def _point(lines: LineIndex, offset: int) -> Span:
    position = lines.position(offset)
    return Span(position, position)


class _YamlValues:
    """Turns a composed YAML node graph into values; each node is converted once, so
    aliases cost nothing and an alias to its own ancestor stops instead of recursing."""

    def __init__(self, lines: LineIndex) -> None:
        self.lines = lines
        self.converted: dict[int, Any] = {}

    def convert(self, node: yaml.Node) -> Any:
        import yaml  # already imported by read_yaml: a lookup

        if id(node) in self.converted:
            return self.converted[id(node)]
        if node.tag.startswith("!"):
            value: Any = Intrinsic(node.tag)
            self.converted[id(node)] = value
        elif isinstance(node, yaml.ScalarNode):
            value = self._scalar(node)
            self.converted[id(node)] = value
        elif isinstance(node, yaml.SequenceNode):
            value = []
            self.converted[id(node)] = value
            value.extend(self.convert(item) for item in node.value)
        else:
            value = {}
            self.converted[id(node)] = value
            for key, item in node.value:
                converted_key = self.convert(key)
                if isinstance(converted_key, str):
                    value[str(converted_key)] = self.convert(item)
        return value

    def _scalar(self, node: yaml.ScalarNode) -> Located:
        start, end = node.start_mark.index, node.end_mark.index
        quoted = node.style in ("'", '"') and end - start >= 2
        if quoted:
            start, end = start + 1, end - 1
        return Located(node.value, Span(self.lines.position(start), self.lines.position(end)))
