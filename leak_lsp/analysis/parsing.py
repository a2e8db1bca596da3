"""Parsing that survives half-typed code.

A syntax error in one function must not hide the others. The module is split into
top-level chunks (a statement starting at column 0 with its decorators and
continuation clauses); each chunk is parsed on its own, at its own line numbers. A
chunk that fails has its offending line replaced by ``pass`` at the same indentation,
a few times, before it is given up: the function being typed keeps its diagnostics.

An incremental analysis parses with a :class:`ChunkCache`: a chunk whose line and text are
those of the last parse keeps its statements and the facts of :class:`TreeIndex` gathered
from them, so an edit parses and walks only the chunks it touched. The result is the one a
fresh parse gives: chunks are used only when each parses alone (else the module is parsed
as a whole first, as a fresh parse does).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

from leak_lsp.analysis.model import SourceProblem, Span
from leak_lsp.analysis.text import LineIndex, utf8_column_to_index

_MAX_REPAIRS = 8
_CONTINUATION = re.compile(r"(else|elif|except|finally)\b")
_PARSE_FAILURES = (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError)

N = TypeVar("N", bound=ast.AST)
V = TypeVar("V")


class NodeMemo:
    """Values computed from one syntax node alone (its subtree, or its lines, which a kept chunk keeps), by the
    function computing them: an incremental parse keeps the nodes of untouched chunks, so what was computed from
    them is not computed again. Values the last analysis did not ask for are dropped. A kept value holds its
    node, whose id therefore cannot be taken by another node while the value is kept."""

    def __init__(self) -> None:
        self._previous: dict[tuple[Callable[..., Any], int], tuple[ast.AST, Any]] = {}
        self._current: dict[tuple[Callable[..., Any], int], tuple[ast.AST, Any]] = {}

    def start(self) -> None:
        self._previous, self._current = self._current, {}

    def of(self, compute: Callable[..., V], node: N, *given: object) -> V:
        """``compute(node, *given)``; ``given`` is not part of the key: only what a kept node is kept with
        (the lines of the text, which a kept chunk has unchanged)."""
        key = (compute, id(node))
        found = self._current.get(key) or self._previous.get(key)
        if found is None or found[0] is not node:
            found = (node, compute(node, *given))
        self._current[key] = found
        return found[1]


@dataclass
class ParsedModule:
    tree: ast.Module
    lines: LineIndex
    problems: list[SourceProblem] = field(default_factory=list)
    facts: list[StatementFacts] | None = None  # of each statement of the tree, when kept from a chunk cache
    memo: NodeMemo = field(default_factory=NodeMemo)  # of the document's earlier texts too, in an incremental analysis
    chunks: ChunkCache | None = None  # what the tree was parsed with, in an incremental analysis

    @cached_property
    def index(self) -> TreeIndex:
        if self.chunks is not None and self.facts is not None:
            return self.chunks.index(self.tree, self.facts)
        return TreeIndex.of(self.tree, self.facts)

    def span(self, node: ast.AST) -> Span:
        """Where a node stands, in code points (``ast`` counts UTF-8 bytes)."""
        start_line = node.lineno - 1  # type: ignore[attr-defined]
        end_line = (getattr(node, "end_lineno", None) or node.lineno) - 1  # type: ignore[attr-defined]
        start = utf8_column_to_index(self.lines.line(start_line), node.col_offset)  # type: ignore[attr-defined]
        end = utf8_column_to_index(self.lines.line(end_line), getattr(node, "end_col_offset", None) or 0)
        return Span.of(start_line, start, end_line, end)


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
# The statements (with the test of an ``if``) the control-flow graph asks the first raising call of.
SIMPLE_STATEMENTS = (ast.Expr, ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Return)


# ``ast.Load()``, ``ast.Add()``...: one object shared by every node of the tree using it, so without a parent.
_SHARED = (ast.expr_context, ast.boolop, ast.operator, ast.unaryop, ast.cmpop)

Definition = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
_MODULE_SCOPE = ast.Module(body=[], type_ignores=[])  # stands for the module in one statement's facts


@dataclass(frozen=True)
class StatementFacts:
    """What :class:`TreeIndex` gathers from one top-level statement, in the order of the module's walk."""

    parents: dict[int, ast.AST]
    string_lines: set[int]
    calls: dict[str, list[ast.Call]]
    attributes: dict[str, list[ast.Attribute]]
    unit_calls: dict[int, list[ast.Call]]
    owned: dict[int, list[ast.AST]]  # the module's own nodes under id(_MODULE_SCOPE)
    definitions: list[Definition]

    @staticmethod
    def of(statement: ast.stmt) -> StatementFacts:
        parents: dict[int, ast.AST] = {}
        string_lines: set[int] = set()
        calls: dict[str, list[ast.Call]] = {}
        attributes: dict[str, list[ast.Attribute]] = {}
        unit_calls: dict[int, list[ast.Call]] = {}
        module_nodes: list[ast.AST] = []
        owned: dict[int, list[ast.AST]] = {id(_MODULE_SCOPE): module_nodes}
        definitions: list[Definition] = []
        # (node, its scope's own nodes, the simple statement or ``if`` test it is part of)
        stack: list[tuple[ast.AST, list[ast.AST], ast.AST | None]] = [(statement, module_nodes, None)]
        while stack:
            node, nodes, unit = stack.pop()
            if isinstance(node, ast.Name):
                continue  # nothing below it but its shared context
            if isinstance(node, ast.stmt):
                unit = node if isinstance(node, SIMPLE_STATEMENTS) else node.test if isinstance(node, ast.If) else None
            if isinstance(node, _SCOPES):
                nodes = owned[id(node)] = []
                unit = None
                if not isinstance(node, ast.Lambda):
                    definitions.append(node)
            elif isinstance(node, ast.Call):
                if unit is not None:
                    unit_calls.setdefault(id(unit), []).append(node)
                if isinstance(node.func, (ast.Name, ast.Attribute)):
                    called = node.func.id if isinstance(node.func, ast.Name) else node.func.attr
                    calls.setdefault(called, []).append(node)
            elif isinstance(node, ast.Attribute):
                attributes.setdefault(node.attr, []).append(node)
            elif isinstance(node, (ast.Constant, ast.JoinedStr)):
                if node.end_lineno and node.end_lineno > node.lineno \
                        and (isinstance(node, ast.JoinedStr) or isinstance(node.value, (str, bytes))):
                    string_lines.update(range(node.lineno - 1, node.end_lineno - 1))
                if isinstance(node, ast.Constant):
                    continue  # nothing below it
            for child in child_nodes(node):
                if not isinstance(child, _SHARED):
                    parents[id(child)] = node
                    nodes.append(child)
                    stack.append((child, nodes, unit))
        return StatementFacts(parents, string_lines, calls, attributes, unit_calls, owned, definitions)


def within_lines(definition: Definition, node: ast.AST) -> bool:
    """Whether a node lies within a definition's lines, decorators included: true of every node of its
    subtree (and maybe of a few others: a test that spares a walk, not one that replaces it)."""
    first = min([definition.lineno, *(decorator.lineno for decorator in definition.decorator_list)])
    return first <= getattr(node, "lineno", 0) <= (definition.end_lineno or definition.lineno)


def descendants(root: ast.AST) -> Iterator[ast.AST]:
    """The nodes ``ast.walk`` yields, depth first and faster: for questions whose answer does not depend on
    the order."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(child_nodes(node))


def child_nodes(node: ast.AST) -> list[ast.AST]:
    """``ast.iter_child_nodes`` as a list, without its two generators: the tree index and the flow analysis
    run it for nearly every node of the module."""
    children: list[ast.AST] = []
    for name in node._fields:
        value = getattr(node, name, None)
        if isinstance(value, ast.AST):
            children.append(value)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, ast.AST):
                    children.append(item)
    return children


@dataclass
class TreeIndex:
    """Facts gathered in one walk of the tree, so that no later step walks it again."""

    parents: dict[int, ast.AST]  # id(node) -> its parent
    string_lines: set[int]  # 0-based lines whose end lies inside a multi-line string
    calls: dict[str, list[ast.Call]]  # the last name of the callee (``run`` for ``asyncio.run``) -> calls
    attributes: dict[str, list[ast.Attribute]]  # ``context.aws_request_id`` under ``aws_request_id``
    # id(simple statement or ``if`` test) -> its calls, in the walk's order; not those of nested scopes
    unit_calls: dict[int, list[ast.Call]]
    owned: dict[int, list[ast.AST]]  # id(function, class, lambda or module) -> its nodes, not its nested scopes
    # (nor the context and operator objects all nodes share)
    definitions: list[Definition]  # at any depth
    tree: ast.Module
    parts: list[StatementFacts]  # of each statement of the tree

    @staticmethod
    def of(tree: ast.Module, facts: list[StatementFacts] | None = None, earlier: TreeIndex | None = None) -> TreeIndex:
        """The facts of each statement (walked now unless given), joined as one depth-first walk from
        the last statement up would gather them. The ``earlier`` index of the document is taken over
        (and no longer valid): its parents and scopes change only where its statements did."""
        parts = facts if facts is not None else [StatementFacts.of(statement) for statement in tree.body]
        parents, owned = _parents_and_scopes(tree, parts, earlier)
        string_lines: set[int] = set()
        calls: dict[str, list[ast.Call]] = {}
        attributes: dict[str, list[ast.Attribute]] = {}
        unit_calls: dict[int, list[ast.Call]] = {}
        module_nodes: list[ast.AST] = list(tree.body)
        definitions: list[Definition] = []
        for part in reversed(parts):
            string_lines |= part.string_lines
            for name, found in part.calls.items():
                calls.setdefault(name, []).extend(found)
            for name, read in part.attributes.items():
                attributes.setdefault(name, []).extend(read)
            unit_calls.update(part.unit_calls)
            module_nodes.extend(part.owned[id(_MODULE_SCOPE)])
            definitions.extend(part.definitions)
        owned[id(tree)] = module_nodes
        return TreeIndex(parents, string_lines, calls, attributes, unit_calls, owned, definitions, tree, parts)

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


def _parents_and_scopes(tree: ast.Module, parts: list[StatementFacts], earlier: TreeIndex | None
                        ) -> tuple[dict[int, ast.AST], dict[int, list[ast.AST]]]:
    """The parents and the scopes' own nodes of a tree's statements; with ``earlier``, its maps less the
    statements gone plus the new ones (nodes are never shared between statements: no key is lost)."""
    parents: dict[int, ast.AST] = {}
    owned: dict[int, list[ast.AST]] = {}
    added = parts
    if earlier is not None:
        parents, owned = earlier.parents, earlier.owned
        kept = {id(part) for part in parts}
        known = {id(part) for part in earlier.parts}
        added = [part for part in parts if id(part) not in known]
        del owned[id(earlier.tree)]
        for statement in earlier.tree.body:
            del parents[id(statement)]
        for part in earlier.parts:
            if id(part) not in kept:
                for key in part.parents:
                    del parents[key]
                for key in part.owned:
                    owned.pop(key, None)
    for part in added:
        parents.update(part.parents)
        owned.update(part.owned)
    owned.pop(id(_MODULE_SCOPE), None)
    parents.update((id(statement), tree) for statement in tree.body)
    return parents, owned


# A chunk's statements, their facts, and the syntax error repaired in it, by its first line and text.
Chunk = tuple[list[ast.stmt], list[StatementFacts], BaseException | None]


class ChunkCache:
    """The chunks of the last parse of one document: the next parse keeps those it finds again
    and drops the others (memory stays proportional to one text)."""

    def __init__(self) -> None:
        self._previous: dict[tuple[int, str], Chunk] = {}
        self._current: dict[tuple[int, str], Chunk] = {}
        self.reused = 0  # chunks the last parse did not parse again
        self.memo = NodeMemo()  # what was computed from the nodes of kept chunks
        self._index: TreeIndex | None = None  # the last index of a tree made of these chunks

    def start(self) -> None:
        self._previous, self._current = self._current, {}
        self.reused = 0
        self.memo.start()

    def index(self, tree: ast.Module, facts: list[StatementFacts]) -> TreeIndex:
        """The index of a tree made of these chunks, updated from the last one (which it takes over)."""
        self._index = TreeIndex.of(tree, facts, self._index)
        return self._index

    def chunk(self, lines: LineIndex, first: int, last: int, repair: bool) -> Chunk | None:
        """The chunk's statements, parsed now or kept; None when it does not parse alone and ``repair`` is off."""
        end = lines.starts[last + 1] if last + 1 < lines.line_count else len(lines.text)
        key = (first, lines.text[lines.starts[first] : end])  # its lines as written, line breaks included
        found = self._current.get(key) or self._previous.get(key)
        if found is not None:
            self.reused += 1
        elif repair:
            statements, error = _parse_chunk(lines, first, last)
            found = (statements, [StatementFacts.of(statement) for statement in statements], error)
        else:
            try:
                statements = ast.parse("\n" * first + key[1]).body
            except _PARSE_FAILURES:
                return None
            found = (statements, [StatementFacts.of(statement) for statement in statements], None)
        if found[2] is not None and not repair:
            return None
        self._current[key] = found
        return found


def parse_module(source: str, chunks: ChunkCache | None = None) -> ParsedModule:
    """``chunks``: the chunks of the document's earlier text, kept where unchanged (incremental analysis)."""
    text = source.replace("\x00", " ")
    lines = LineIndex(text)
    problems = [SourceProblem("null bytes were read as spaces")] if "\x00" in source else []
    memo = chunks.memo if chunks is not None else NodeMemo()
    if chunks is not None:
        chunks.start()
        kept = _chunked(lines, chunks, repair=False)
        if kept is not None:
            return ParsedModule(ast.Module(body=kept[0], type_ignores=[]), lines, problems, kept[1], memo, chunks)
    try:
        return ParsedModule(ast.parse(text, type_comments=False), lines, problems, memo=memo)
    except _PARSE_FAILURES:
        pass
    body, facts, errors = _chunked(lines, chunks or ChunkCache(), repair=True) or ([], [], [])
    problems.extend(_problem(error, lines) for error in errors)
    return ParsedModule(ast.Module(body=body, type_ignores=[]), lines, problems, facts, memo, chunks)


def _chunked(lines: LineIndex, cache: ChunkCache, repair: bool
             ) -> tuple[list[ast.stmt], list[StatementFacts], list[BaseException]] | None:
    """The module parsed chunk by chunk; None when a chunk does not parse alone and ``repair`` is off."""
    body: list[ast.stmt] = []
    facts: list[StatementFacts] = []
    errors: list[BaseException] = []
    cache.reused = 0
    for first, last in _top_level_chunks(lines):
        chunk = cache.chunk(lines, first, last, repair)
        if chunk is None:
            return None
        body.extend(chunk[0])
        facts.extend(chunk[1])
        if chunk[2] is not None:
            errors.append(chunk[2])
    return body, facts, errors


def top_level_texts(text: str) -> list[str]:
    """The text cut into its top-level chunks, as written; the lines above the first chunk go with it."""
    lines = LineIndex(text)
    chunks = _top_level_chunks(lines)
    cuts = [0] + [lines.starts[first] for first, _ in chunks[1:]] + [len(text)]
    return [text[start:end] for start, end in zip(cuts, cuts[1:])]


def _top_level_chunks(lines: LineIndex) -> list[tuple[int, int]]:
    """0-based inclusive line ranges of top-level statements."""
    starts: list[int] = []
    decorators_only = False
    text = lines.text
    for number, offset in enumerate(lines.starts):  # a line's first character tells, without slicing the line
        first = text[offset : offset + 1]
        if not first or first in " \t\f#)]}\r\n" or first in "ef" and _CONTINUATION.match(text, offset):
            continue
        if decorators_only:
            decorators_only = first == "@"
            continue
        starts.append(number)
        decorators_only = first == "@"
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
