"""Parsing that survives half-typed code.

A syntax error in one function must not hide the others. The module is split into
top-level chunks (a statement starting at column 0 with its decorators and
continuation clauses); each chunk is parsed on its own, at its own line numbers. A
chunk that fails has its offending line replaced by ``pass`` at the same indentation,
a few times, before it is given up: the function being typed keeps its diagnostics.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from functools import cached_property

from leak_lsp.analysis.model import SourceProblem, Span
from leak_lsp.analysis.text import LineIndex, utf8_column_to_index

_MAX_REPAIRS = 8
_CONTINUATION = re.compile(r"(else|elif|except|finally)\b")
_PARSE_FAILURES = (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError)


@dataclass
class ParsedModule:
    tree: ast.Module
    lines: LineIndex
    problems: list[SourceProblem] = field(default_factory=list)

    @cached_property
    def index(self) -> TreeIndex:
        return TreeIndex.of(self.tree)

    def span(self, node: ast.AST) -> Span:
        """Where a node stands, in code points (``ast`` counts UTF-8 bytes)."""
        start_line = node.lineno - 1  # type: ignore[attr-defined]
        end_line = (getattr(node, "end_lineno", None) or node.lineno) - 1  # type: ignore[attr-defined]
        start = utf8_column_to_index(self.lines.line(start_line), node.col_offset)  # type: ignore[attr-defined]
        end = utf8_column_to_index(self.lines.line(end_line), getattr(node, "end_col_offset", None) or 0)
        return Span.of(start_line, start, end_line, end)


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


@dataclass
class TreeIndex:
    """Facts gathered in one walk of the tree, so that no later step walks it again."""

    parents: dict[int, ast.AST]  # id(node) -> its parent
    string_lines: set[int]  # 0-based lines whose end lies inside a multi-line string
    calls: dict[str, list[ast.Call]]  # the last name of the callee (``run`` for ``asyncio.run``) -> calls
    owned: dict[int, list[ast.AST]]  # id(function, class, lambda or module) -> its nodes, not its nested scopes
    definitions: list[ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef]  # at any depth

    @staticmethod
    def of(tree: ast.Module) -> TreeIndex:
        parents: dict[int, ast.AST] = {}
        string_lines: set[int] = set()
        calls: dict[str, list[ast.Call]] = {}
        owned: dict[int, list[ast.AST]] = {id(tree): []}
        definitions: list[ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef] = []
        stack: list[tuple[ast.AST, ast.AST]] = [(tree, tree)]  # (node, the scope its children belong to)
        while stack:
            node, scope = stack.pop()
            inner = node if isinstance(node, _SCOPES) else scope
            if inner is node and node is not tree:
                owned[id(node)] = []
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    definitions.append(node)
            for child in ast.iter_child_nodes(node):
                parents[id(child)] = node
                owned[id(inner)].append(child)
                stack.append((child, inner))
            if isinstance(node, (ast.Constant, ast.JoinedStr)) and node.end_lineno and node.end_lineno > node.lineno:
                if isinstance(node, ast.JoinedStr) or isinstance(node.value, (str, bytes)):
                    string_lines.update(range(node.lineno - 1, node.end_lineno - 1))
            elif isinstance(node, ast.Call) and isinstance(node.func, (ast.Name, ast.Attribute)):
                name = node.func.id if isinstance(node.func, ast.Name) else node.func.attr
                calls.setdefault(name, []).append(node)
        return TreeIndex(parents, string_lines, calls, owned, definitions)

    def enclosing_function(self, node: ast.AST) -> ast.AST | None:
        parent = self.parents.get(id(node))
        while parent is not None and not isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef)):
            parent = self.parents.get(id(parent))
        return parent

    def ancestors(self, node: ast.AST) -> list[ast.AST]:
        chain = []
        parent = self.parents.get(id(node))
        while parent is not None:
            chain.append(parent)
            parent = self.parents.get(id(parent))
        return chain


def parse_module(source: str) -> ParsedModule:
    text = source.replace("\x00", " ")
    lines = LineIndex(text)
    problems = [SourceProblem("null bytes were read as spaces")] if "\x00" in source else []
    try:
        return ParsedModule(ast.parse(text, type_comments=False), lines, problems)
    except _PARSE_FAILURES:
        pass
    body: list[ast.stmt] = []
    for first, last in _top_level_chunks(lines):
        statements, error = _parse_chunk(lines, first, last)
        body.extend(statements)
        if error is not None:
            problems.append(_problem(error, lines))
    return ParsedModule(ast.Module(body=body, type_ignores=[]), lines, problems)


def _top_level_chunks(lines: LineIndex) -> list[tuple[int, int]]:
    """0-based inclusive line ranges of top-level statements."""
    starts: list[int] = []
    decorators_only = False
    for number in range(lines.line_count):
        line = lines.line(number)
        if not line or line[0] in " \t\f#)]}" or _CONTINUATION.match(line):
            continue
        if decorators_only:
            decorators_only = line.startswith("@")
            continue
        starts.append(number)
        decorators_only = line.startswith("@")
    ends = [start - 1 for start in starts[1:]] + [lines.line_count - 1]
    return list(zip(starts, ends))


def _parse_chunk(
    lines: LineIndex, first: int, last: int
) -> tuple[list[ast.stmt], BaseException | None]:
    chunk = [lines.line(number) for number in range(first, last + 1)]
    first_error: BaseException | None = None
    for _ in range(_MAX_REPAIRS):
        try:
            return ast.parse("\n" * first + "\n".join(chunk)).body, first_error
        except _PARSE_FAILURES as error:
            first_error = first_error or error
            line = getattr(error, "lineno", None)
            if line is None or not first < line <= last + 1 or (line - 1 - first) >= len(chunk):
                return [], first_error
            offending = chunk[line - 1 - first]
            indent = offending[: len(offending) - len(offending.lstrip())]
            if offending.strip() == "pass":
                return [], first_error
            chunk[line - 1 - first] = indent + "pass"
    return [], first_error


def _problem(error: BaseException, lines: LineIndex) -> SourceProblem:
    if isinstance(error, SyntaxError) and error.lineno:
        line = error.lineno - 1
        text = lines.line(line)
        column = min(max((error.offset or 1) - 1, 0), len(text))
        if isinstance(error.text, str) and error.text.rstrip("\r\n") != text:
            column = min(utf8_column_to_index(text, column), len(text))
        return SourceProblem(f"SyntaxError: {error.msg}", Span.of(line, column, line, len(text)))
    if isinstance(error, RecursionError):
        return SourceProblem("part of the file is nested too deeply to analyse")
    return SourceProblem(f"cannot parse part of the file: {error}")
