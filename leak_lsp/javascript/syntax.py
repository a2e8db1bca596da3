"""tree-sitter parsing of JavaScript and TypeScript, and positions in the project's units.

tree-sitter reports UTF-8 byte offsets; findings use code-point columns on LSP lines
(which also break at a lone ``\\r``), so every position goes through a character
offset and :class:`~leak_lsp.analysis.text.LineIndex`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from functools import cache
from pathlib import PurePath

import tree_sitter
import tree_sitter_javascript
import tree_sitter_typescript

from leak_lsp.analysis.model import Span
from leak_lsp.analysis.text import LineIndex
from leak_lsp.javascript.languages import TYPESCRIPT_SUFFIXES

Node = tree_sitter.Node

FUNCTION_TYPES = frozenset({
    "function_declaration", "function_expression", "function", "arrow_function", "method_definition",
    "generator_function_declaration", "generator_function",
})  # fmt: skip


@cache
def _language(grammar: str) -> tree_sitter.Language:
    if grammar == "tsx":
        return tree_sitter.Language(tree_sitter_typescript.language_tsx())
    if grammar == "typescript":
        return tree_sitter.Language(tree_sitter_typescript.language_typescript())
    return tree_sitter.Language(tree_sitter_javascript.language())


def grammar_for(path: str) -> str:
    """TypeScript for .ts/.mts/.cts, TSX for .tsx, JavaScript (with JSX) otherwise."""
    suffix = PurePath(path).suffix.lower()
    if suffix == ".tsx":
        return "tsx"
    return "typescript" if suffix in TYPESCRIPT_SUFFIXES else "javascript"


def parser_for(path: str) -> tree_sitter.Parser:
    return tree_sitter.Parser(_language(grammar_for(path)))


def encoded(source: str) -> bytes:
    """The bytes tree-sitter reads (lone surrogates from odd decodings pass through)."""
    return source.encode("utf-8", "surrogatepass")


class ParsedSource:
    """One parsed file: its tree, its bytes and the conversions from byte offsets to spans.

    ``tree`` is given by an incremental re-parse (:mod:`leak_lsp.javascript.incremental`)."""

    def __init__(self, source: str, path: str, tree: tree_sitter.Tree | None = None) -> None:
        self.source = source
        self.path = path
        self.data = encoded(source)
        self.lines = LineIndex(source)
        self.tree = tree if tree is not None else parser_for(path).parse(self.data)
        self._ascii = len(self.data) == len(source)
        self._points_are_positions = self._ascii and "\r" not in source  # tree-sitter's rows end at \n only
        self._row_bytes = [0] + [i + 1 for i, byte in enumerate(self.data) if byte == 0x0A] if not self._ascii else []
        self._row_chars = [0] + [i + 1 for i, char in enumerate(source) if char == "\n"] if not self._ascii else []

    @property
    def root(self) -> Node:
        return self.tree.root_node

    def text(self, node: Node | None) -> str:
        if node is None:
            return ""
        return self.data[node.start_byte : node.end_byte].decode("utf-8", "surrogatepass")

    def char_offset(self, byte_offset: int) -> int:
        if self._ascii:
            return byte_offset
        row = bisect_right(self._row_bytes, byte_offset) - 1
        prefix = self.data[self._row_bytes[row] : byte_offset]
        return self._row_chars[row] + len(prefix.decode("utf-8", "surrogatepass"))

    def span(self, node: Node) -> Span:
        if self._points_are_positions:
            (start_row, start_column), (end_row, end_column) = node.start_point, node.end_point
            return Span.of(start_row, start_column, end_row, end_column)
        return Span(self.lines.position(self.char_offset(node.start_byte)), self.lines.position(self.char_offset(node.end_byte)))

    def first_line_span(self, node: Node) -> Span:
        """The node's span, cut at the end of its first line (a call over many lines reads better)."""
        span = self.span(node)
        if span.end.line == span.start.line:
            return span
        line = span.start.line
        return Span.of(line, span.start.column, line, len(self.lines.line(line)))


def field(node: Node | None, name: str) -> Node | None:
    return node.child_by_field_name(name) if node is not None else None


def unwrap(node: Node | None) -> Node | None:
    """The expression under parentheses and TypeScript-only wrappers (``as``, ``satisfies``, ``!``)."""
    while node is not None and node.type in (
        "parenthesized_expression", "as_expression", "satisfies_expression", "non_null_expression", "type_assertion",
    ):  # fmt: skip
        node = next((child for child in node.named_children if not child.type.endswith("type") and child.type != "type_arguments"), None)
    return node


def walk(node: Node) -> Iterator[Node]:
    """Every node under ``node`` (pre-order), without recursion (deep files must not crash)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children))


def dotted(parsed: ParsedSource, node: Node | None) -> str | None:
    """``a.b.c`` for a chain of identifiers and property accesses (optional chaining too), else None."""
    node = unwrap(node)
    if node is None:
        return None
    if node.type in ("identifier", "this", "property_identifier", "shorthand_property_identifier"):
        return parsed.text(node)
    if node.type == "member_expression":
        base = dotted(parsed, field(node, "object"))
        prop = field(node, "property")
        if base is None or prop is None:
            return None
        return f"{base}.{parsed.text(prop)}"
    return None


def string_value(parsed: ParsedSource, node: Node | None) -> str | None:
    node = unwrap(node)
    if node is None or node.type not in ("string", "template_string"):
        return None
    text = parsed.text(node)
    if node.type == "template_string" and "${" in text:
        return None
    return text[1:-1]
