"""Incremental re-parse of one JavaScript/TypeScript document in the server.

The previous tree and bytes are kept; the edit between the old and the new text is derived
from their common prefix and suffix (editors send whole texts or ranges, and the server
stores the text), told to the old tree with ``Tree.edit``, and the new text is parsed against
it, so tree-sitter re-uses every subtree the edit did not touch. The analysis then runs on the
new tree exactly as on a fresh parse.

A tree with a syntax error is the exception: tree-sitter's error recovery, steered by the
subtrees it re-uses, can settle on another reading of half-typed code than a fresh parse would
(the tests found ``ERROR`` nodes holding different tokens), so such a text is parsed afresh.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import tree_sitter

from leak_lsp.analysis.config import Settings
from leak_lsp.analysis.model import FileReport, Fixer
from leak_lsp.javascript.analysis import report_and_fixer
from leak_lsp.javascript.syntax import ParsedSource, encoded, parser_for

if TYPE_CHECKING:
    from leak_lsp.project.workspace import Workspace

Point = tuple[int, int]  # (row, byte column), as tree-sitter counts them


@dataclass(frozen=True)
class ByteEdit:
    """One replaced range: ``old[start:old_end]`` became ``new[start:new_end]``."""

    start: int
    old_end: int
    new_end: int


def byte_edit(old: bytes, new: bytes) -> ByteEdit:
    """The smallest single range that turns ``old`` into ``new``, cut at UTF-8 character boundaries."""
    prefix = _common_length(old, new, from_end=False)
    while prefix and _is_continuation(new, prefix):
        prefix -= 1
    suffix = _common_length(old[prefix:], new[prefix:], from_end=True)
    while suffix and _is_continuation(new, len(new) - suffix):
        suffix -= 1
    return ByteEdit(prefix, len(old) - suffix, len(new) - suffix)


def _is_continuation(data: bytes, offset: int) -> bool:
    return offset < len(data) and data[offset] & 0xC0 == 0x80


def _common_length(a: bytes, b: bytes, from_end: bool) -> int:
    """How many leading (or trailing) bytes ``a`` and ``b`` share; a binary search over C comparisons."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        same = a[len(a) - middle :] == b[len(b) - middle :] if from_end else a[:middle] == b[:middle]
        low, high = (middle, high) if same else (low, middle - 1)
    return low


def point(data: bytes, offset: int) -> Point:
    """tree-sitter's (row, column) of a byte offset: rows end at ``\\n``, columns count bytes."""
    row_start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset), offset - row_start


def reparse(parser: tree_sitter.Parser, tree: tree_sitter.Tree, old: bytes, new: bytes) -> tree_sitter.Tree:
    """The tree of ``new``, parsed against a copy of ``tree`` (the tree of ``old``) told of the edit;
    ``tree`` itself is left as it is (an analysis may still be reading it)."""
    edit = byte_edit(old, new)
    tree = tree.copy()
    tree.edit(
        start_byte=edit.start, old_end_byte=edit.old_end, new_end_byte=edit.new_end,
        start_point=point(old, edit.start), old_end_point=point(old, edit.old_end), new_end_point=point(new, edit.new_end),
    )  # fmt: skip
    return parser.parse(new, tree)


class IncrementalJavaScript:
    """The analyses of successive texts of one JavaScript/TypeScript document, each parsed
    against the tree of the text before and equal to a fresh analysis of its text."""

    def __init__(self, path: str, settings: Settings, fixes: bool = True) -> None:
        self.path = path
        self.settings = settings
        self.fixes = fixes
        self._parser = parser_for(path)
        self._last: ParsedSource | None = None
        self.fixer: Fixer | None = None  # without ``fixes``: the settle fixes of the last text's findings

    def analyze(self, source: str, workspace: Workspace | None = None) -> FileReport:
        report, self.fixer = report_and_fixer(self.parse(source), self.settings, workspace, self.fixes)
        return report

    def parse(self, source: str) -> ParsedSource:
        """The text's tree, parsed against the last one, and kept for the next text."""
        parsed = self._last = self._parsed(source, self._last)
        return parsed

    def _parsed(self, source: str, last: ParsedSource | None) -> ParsedSource:
        if last is None:
            return ParsedSource(source, self.path)
        if source == last.source:
            return last
        tree = reparse(self._parser, last.tree, last.data, encoded(source))
        if tree.root_node.has_error:  # error recovery may keep an old reading of the text: parse afresh
            return ParsedSource(source, self.path)
        return ParsedSource(source, self.path, tree)
