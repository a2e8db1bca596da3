"""Control-flow graph of one function, statement by statement.

Nodes are statements, branch tests, loop headers, ``with`` exits and exits. A jump out
of a ``try``/``with`` (return, break, continue, raise) goes through a fresh copy of the
``finally`` body or ``with`` exit, as CPython compiles it. Any statement inside a
``try`` may raise into its handlers, with the state the statement before it left, unless
the ``may_raise`` test says it cannot raise (a settle raises only once the work is done,
so ``future.result()`` failing finds it settled); implicit exceptions elsewhere are not exits:
only ``return``, an explicit ``raise`` and the fall-off end are. Given a ``may_raise``
test, a statement outside any ``try`` that calls something able to raise is preceded by a
path that runs the enclosing cleanups to a separate *crash* exit: the exception paths,
reported apart from the normal ones.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from leak_lsp.analysis.parsing import SIMPLE_STATEMENTS

NodeKind = Literal["entry", "stmt", "test", "for", "with-exit", "dispatch", "exit", "raise-point", "crash"]


@dataclass(frozen=True)
class Raising:
    """The call of a statement that may raise."""

    call: ast.AST
    before: bool  # it gives up before its effects (a bounded settle), rather than after them
    in_try: bool  # it matters inside a ``try`` too: a settle that raises when its timeout expires


MayRaise = Callable[[ast.AST], Raising | None]  # a statement or test -> the call in it that may raise
ExitKind = Literal["return", "raise", "end"]


@dataclass(frozen=True)
class Condition:
    """The branch taken: ``test`` evaluated to ``value``."""

    test: ast.expr
    value: bool


@dataclass
class Node:
    id: int
    kind: NodeKind
    stmt: ast.AST | None = None
    exit_kind: ExitKind | None = None
    successors: list[tuple[int, Condition | None]] = field(default_factory=list)


@dataclass
class StatementGraph:
    """A Python function's control flow, one node per statement (``flow.graph.Graph`` holds blocks of effects)."""

    nodes: list[Node]
    function: ast.AST

    @property
    def exits(self) -> list[Node]:
        return [node for node in self.nodes if node.kind == "exit"]

    @property
    def crashes(self) -> list[Node]:
        """Exits by an exception a call raised; ``stmt`` is that call."""
        return [node for node in self.nodes if node.kind == "crash"]


@dataclass
class _Loop:
    header: int
    breaks: list[tuple[int, Condition | None]]


@dataclass
class _Finally:
    body: list[ast.stmt]


@dataclass
class _With:
    stmt: ast.With | ast.AsyncWith


@dataclass
class _Try:
    dispatch: int
    caught: frozenset[str]  # simple names of the handled exception types; "*" for a catch-all


Frontier = list[tuple[int, Condition | None]]
_Context = _Loop | _Finally | _With | _Try


def build_graph(function: ast.FunctionDef | ast.AsyncFunctionDef | ast.Module, body: list[ast.stmt] | None = None,
                may_raise: MayRaise | None = None) -> StatementGraph:
    builder = _Builder(function, may_raise)
    frontier = builder.block(function.body if body is None else body, [(0, None)])
    last: Sequence[ast.AST] = (body if body is not None else function.body) or [function]
    builder.exit("end", last[-1], frontier)
    return StatementGraph(builder.nodes, function)


class _Builder:
    def __init__(self, function: ast.AST, may_raise: MayRaise | None = None) -> None:
        self.nodes: list[Node] = [Node(0, "entry", function)]
        self.stack: list[_Context] = []
        self.may_raise = may_raise
        self.quiet_next: set[int] = set()  # statements followed by one that cannot raise (see ``_Try``)

    def new(self, kind: NodeKind, stmt: ast.AST | None, frontier: Frontier, exit_kind: ExitKind | None = None) -> int:
        node = Node(len(self.nodes), kind, stmt, exit_kind)
        self.nodes.append(node)
        for source, condition in frontier:
            self.nodes[source].successors.append((node.id, condition))
        return node.id

    def exit(self, kind: ExitKind, stmt: ast.AST, frontier: Frontier) -> None:
        if frontier:
            self.new("exit", stmt, frontier, kind)

    def block(self, statements: list[ast.stmt], frontier: Frontier) -> Frontier:
        for statement, following in zip(statements, [*statements[1:], None]):
            if not frontier:
                break  # unreachable code settles nothing
            frontier = self.statement(statement, frontier)
            if self._cannot_raise(following):
                self.quiet_next.update(node for node, _ in frontier)
        return frontier

    def _cannot_raise(self, statement: ast.stmt | None) -> bool:
        """A simple statement whose calls all open no exception path (``future.result()``, ``log.info(...)``)."""
        return isinstance(statement, SIMPLE_STATEMENTS) and self.may_raise is not None \
            and self.may_raise(statement) is None

    def statement(self, stmt: ast.stmt, frontier: Frontier) -> Frontier:
        handler = getattr(self, f"_{type(stmt).__name__}", None)
        if handler is not None:
            after: Frontier = handler(stmt, frontier)
            return after
        raising = self.raising(stmt) if isinstance(stmt, SIMPLE_STATEMENTS) else None
        frontier = self.raise_before(raising, frontier)
        node = self.new("stmt", stmt, frontier)
        self.raise_after(raising, node)
        return [(node, None)]

    def raising(self, code: ast.AST) -> Raising | None:
        """The call of code that may raise. Under a ``try`` that catches everything, only a settle that
        raises when its timeout expires: the ``try`` routes it to its handlers before the work is settled.
        Under handlers of named exceptions only, any other exception escapes."""
        if self.may_raise is None:
            return None
        found = self.may_raise(code)
        return None if found is not None and self.caught() and not found.in_try else found

    def caught(self) -> bool:
        """An enclosing ``try`` catches every exception (``except:``, ``except Exception:``)."""
        return any(isinstance(context, _Try) and "*" in context.caught for context in self.stack)

    def raise_before(self, raising: Raising | None, frontier: Frontier) -> Frontier:
        if raising is None or not raising.before or not frontier:
            return frontier
        point = self.new("raise-point", raising.call, frontier)
        if not any(isinstance(context, _Try) for context in self.stack):  # a ``try`` handles its timeout
            self.crash(raising.call, point)
        return [(point, None)]

    def raise_after(self, raising: Raising | None, node: int) -> None:
        if raising is not None and not raising.before:
            self.crash(raising.call, node)

    def crash(self, call: ast.AST, source: int) -> None:
        """The path of an exception raised at ``source``: the enclosing cleanups, then a crash exit."""
        crashed, _ = self._unwind([(source, None)], None)
        if crashed:
            self.new("crash", call, crashed, "raise")

    # -- branches -------------------------------------------------------------------
    def _If(self, stmt: ast.If, frontier: Frontier) -> Frontier:
        raising = self.raising(stmt.test)
        test = self.new("test", stmt.test, self.raise_before(raising, frontier))
        self.raise_after(raising, test)
        constant = _constant_truth(stmt.test)
        taken = self.block(stmt.body, [(test, Condition(stmt.test, True))]) if constant is not False else []
        other = self.block(stmt.orelse, [(test, Condition(stmt.test, False))]) if constant is not True else []
        return taken + other

    def _Match(self, stmt: ast.Match, frontier: Frontier) -> Frontier:
        subject = self.new("stmt", stmt, frontier)
        result: Frontier = []
        exhaustive = False
        for case in stmt.cases:
            result += self.block(case.body, [(subject, None)])
            if case.guard is None and _irrefutable(case.pattern):
                exhaustive = True
        return result if exhaustive else result + [(subject, None)]

    # -- loops ----------------------------------------------------------------------
    def _While(self, stmt: ast.While, frontier: Frontier) -> Frontier:
        header = self.new("test", stmt.test, frontier)
        return self._loop(stmt, header, Condition(stmt.test, True), Condition(stmt.test, False), _constant_truth(stmt.test))

    def _For(self, stmt: ast.For | ast.AsyncFor, frontier: Frontier) -> Frontier:
        header = self.new("for", stmt, frontier)
        return self._loop(stmt, header, None, None, None)

    _AsyncFor = _For

    def _loop(self, stmt: ast.While | ast.For | ast.AsyncFor, header: int, enter: Condition | None,
              leave: Condition | None, constant: bool | None) -> Frontier:
        loop = _Loop(header, [])
        self.stack.append(loop)
        body_end = self.block(stmt.body, [(header, enter)]) if constant is not False else []
        self.stack.pop()
        for source, condition in body_end:
            self.nodes[source].successors.append((header, condition))
        exhausted = self.block(stmt.orelse, [(header, leave)]) if constant is not True else []
        return exhausted + loop.breaks

    def _Break(self, stmt: ast.Break, frontier: Frontier) -> Frontier:
        node = self.new("stmt", stmt, frontier)
        frontier, loop = self._unwind([(node, None)], _Loop)
        if isinstance(loop, _Loop):
            loop.breaks.extend(frontier)
        return []

    def _Continue(self, stmt: ast.Continue, frontier: Frontier) -> Frontier:
        node = self.new("stmt", stmt, frontier)
        frontier, loop = self._unwind([(node, None)], _Loop)
        if isinstance(loop, _Loop):
            for source, condition in frontier:
                self.nodes[source].successors.append((loop.header, condition))
        return []

    # -- exits ----------------------------------------------------------------------
    def _Return(self, stmt: ast.Return, frontier: Frontier) -> Frontier:
        raising = self.raising(stmt)
        node = self.new("stmt", stmt, self.raise_before(raising, frontier))
        self.raise_after(raising, node)
        frontier, _ = self._unwind([(node, None)], None)
        self.exit("return", stmt, frontier)
        return []

    def _Raise(self, stmt: ast.Raise, frontier: Frontier) -> Frontier:
        frontier = [(self.new("stmt", stmt, frontier), None)]
        saved = self.stack
        try:
            while True:
                frontier, handler = self._unwind(frontier, _Try)
                if not isinstance(handler, _Try):
                    self.exit("raise", stmt, frontier)
                    return []
                for source, condition in frontier:
                    self.nodes[source].successors.append((handler.dispatch, condition))
                if "*" in handler.caught or _raised_name(stmt) in handler.caught:
                    return []
                self.stack = self.stack[: self.stack.index(handler)]  # it may not match: look further out
        finally:
            self.stack = saved

    def _unwind(self, frontier: Frontier, until: type | None) -> tuple[Frontier, _Context | None]:
        """Run the cleanups between here and the nearest ``until`` context (or the function's exit)."""
        saved = self.stack
        try:
            for depth in range(len(saved) - 1, -1, -1):
                context = saved[depth]
                if until is not None and isinstance(context, until):
                    return frontier, context
                self.stack = saved[:depth]
                if isinstance(context, _Finally):
                    frontier = self.block(context.body, frontier)
                elif isinstance(context, _With):
                    frontier = [(self.new("with-exit", context.stmt, frontier), None)] if frontier else []
            return frontier, None
        finally:
            self.stack = saved

    # -- blocks with cleanups ---------------------------------------------------------
    def _With(self, stmt: ast.With | ast.AsyncWith, frontier: Frontier) -> Frontier:
        enter = self.new("stmt", stmt, frontier)
        self.stack.append(_With(stmt))
        body_end = self.block(stmt.body, [(enter, None)])
        self.stack.pop()
        return [(self.new("with-exit", stmt, body_end), None)] if body_end else []

    _AsyncWith = _With

    def _Try(self, stmt: ast.Try, frontier: Frontier) -> Frontier:
        if stmt.finalbody:
            self.stack.append(_Finally(stmt.finalbody))
        entry = self.new("stmt", None, frontier)  # before the body, for an exception raised at once
        if stmt.handlers:
            placeholder = -len(self.nodes) - 1  # raises in the body point here until dispatch exists
            self.stack.append(_Try(placeholder, frozenset(name for handler in stmt.handlers for name in _caught(handler))))
            first = len(self.nodes)
            after_body = self.block(stmt.body, [(entry, None)])
            last = len(self.nodes)
            self.stack.pop()
            dispatch = self.new("dispatch", None, [(entry, None)])
            for node in self.nodes[first:last]:
                node.successors = [(dispatch if target == placeholder else target, condition)
                                   for target, condition in node.successors]
                if node.kind == "raise-point" or (node.kind == "stmt" and node.id not in self.quiet_next):
                    node.successors.append((dispatch, None))  # what the next statement raises finds this state
            after_body = self.block(stmt.orelse, after_body)
            for handler in stmt.handlers:
                start = self.new("stmt", handler, [(dispatch, None)])
                after_body += self.block(handler.body, [(start, None)])
        else:
            after_body = self.block(stmt.body, [(entry, None)])
        if stmt.finalbody:
            self.stack.pop()
            after_body = self.block(stmt.finalbody, after_body)
        return after_body

    _TryStar = _Try


def _constant_truth(test: ast.expr) -> bool | None:
    if isinstance(test, ast.Constant):
        return bool(test.value)
    return None


def _irrefutable(pattern: ast.pattern) -> bool:
    if isinstance(pattern, ast.MatchAs):
        return pattern.pattern is None or _irrefutable(pattern.pattern)
    if isinstance(pattern, ast.MatchOr):
        return any(_irrefutable(option) for option in pattern.patterns)
    return False


def _caught(handler: ast.ExceptHandler) -> list[str]:
    if handler.type is None:
        return ["*"]
    names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    simple = [name.id if isinstance(name, ast.Name) else name.attr if isinstance(name, ast.Attribute) else "" for name in names]
    return ["*" if name in {"Exception", "BaseException"} else name for name in simple]


def _raised_name(stmt: ast.Raise) -> str | None:
    raised = stmt.exc.func if isinstance(stmt.exc, ast.Call) else stmt.exc
    if isinstance(raised, ast.Name):
        return raised.id
    if isinstance(raised, ast.Attribute):
        return raised.attr
    return None
