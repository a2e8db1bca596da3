"""Which call of a statement may raise: where an exception path leaves the handler.

A statement calling only quiet functions (logging, ``len``, ``time.time``, string and
container methods) and the calls that start or settle work opens no exception path; any
other call may raise. A settle bounded by a timeout counts too: it raises or returns with
the work still running when the timeout expires.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from functools import cached_property

from leak_lsp.analysis.catalogue import (
    OBSERVER_MODULES,
    QUIET_FUNCTIONS,
    QUIET_METHODS,
    TIMEOUT_RAISES,
    TIMEOUT_RETURNS,
    Catalogue,
)
from leak_lsp.analysis.cfg import Raising
from leak_lsp.analysis.names import Scope

_IO_METHODS = frozenset({"get"})  # settles a Kafka future, but mostly requests a page: ``driver.get(url)``
_AFTER_TIMEOUT = frozenset({"is_alive", "terminate", "kill", "cancel", "done", "poll"})
_LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "log"})


class RaiseTest:
    """``may_raise`` for the control-flow graph of one function."""

    def __init__(self, scope: Scope, function: ast.AST, known: Catalogue,
                 calls_in: Callable[[ast.AST], list[ast.Call]]) -> None:
        """``calls_in``: the calls of a simple statement or an ``if`` test in walk order (the tree index's)."""
        self.scope = scope
        self.function = function
        self.calls_in = calls_in
        self.work_methods = known.work_methods - _IO_METHODS
        self.work_functions = known.work_functions
        self._found: dict[int, Raising | None] = {}  # by id of the statement or test: the graph copies ``finally`` bodies

    @cached_property
    def checked(self) -> set[str]:
        return _checked_after_timeout(self.function)

    def __call__(self, code: ast.AST) -> Raising | None:
        """The first call that may raise; a bounded settle gives up before settling. The arguments of a call
        that starts work (``create_task(fetch())``) are taken with it: a coroutine object does not run."""
        key = id(code)
        if key not in self._found:
            self._found[key] = self._first_raising(code)
        return self._found[key]

    def _first_raising(self, code: ast.AST) -> Raising | None:
        calls = sorted(self.calls_in(code), key=lambda call: (call.lineno, call.col_offset))  # in source order
        raising = [self.may_raise(call) for call in calls]
        arguments = {id(argument) for call, raises in zip(calls, raising) if not raises
                     for argument in [*call.args, *(kw.value for kw in call.keywords)]}
        call = next((call for call, raises in zip(calls, raising) if raises and id(call) not in arguments), None)
        if call is None:
            return None
        how = bounded(call)
        return Raising(call, before=how is not None, in_try=how == "raises")

    def may_raise(self, call: ast.Call) -> bool:
        how = bounded(call)
        if how is not None:
            return how == "raises" or _dotted(call.func).rpartition(".")[0] not in self.checked
        func = call.func
        if isinstance(func, ast.Attribute) and (func.attr in _LOG_METHODS or func.attr in QUIET_METHODS
                                                or func.attr in self.work_methods):
            return False
        qualified = self.scope.qualify(func) or ""
        if qualified in QUIET_FUNCTIONS or qualified in self.work_functions or _dotted(func).startswith(OBSERVER_MODULES):
            return False
        if any(name in self.work_functions for name in self.scope.class_lineage(qualified or None)):
            return False
        if isinstance(func, ast.Name) and _only_stores(self.scope.classes.get(func.id)):
            return False
        return not (isinstance(func, ast.Attribute) and func.attr == "get" and _dictionary_lookup(call, self.scope))


def _only_stores(cls: ast.ClassDef | None) -> bool:
    """A class of the module whose ``__init__`` only keeps what it is given (``self.driver = driver``):
    constructing it does not raise."""
    if cls is None or cls.bases:
        return False
    init = next((node for node in cls.body if isinstance(node, ast.FunctionDef) and node.name == "__init__"), None)
    return init is not None and all(
        isinstance(statement, ast.Assign) and isinstance(statement.value, (ast.Name, ast.Constant))
        for statement in init.body)


def bounded(call: ast.Call) -> str | None:
    """``fut.result(timeout=5)``: how the bounded settle gives up ("raises", "times out"), else None."""
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr not in TIMEOUT_RAISES | TIMEOUT_RETURNS:
        return None
    timeout = next((kw.value for kw in call.keywords if kw.arg == "timeout"), None)
    if timeout is None and call.args and _looks_like_seconds(call.args[0]):
        timeout = call.args[0]  # ``t.join(5)``, not ``", ".join(parts)``
    if timeout is None or (isinstance(timeout, ast.Constant) and timeout.value is None):
        return None
    return "raises" if func.attr in TIMEOUT_RAISES else "times out"


def _looks_like_seconds(argument: ast.expr) -> bool:
    if isinstance(argument, ast.Constant):
        return isinstance(argument.value, (int, float)) and not isinstance(argument.value, bool)
    text = ast.unparse(argument).lower()
    return any(word in text for word in ("timeout", "second", "time_left", "remaining", "wait"))


def _dotted(node: ast.expr) -> str:
    """``logger.info`` for a plain name path, "" otherwise (cheaper than unparsing)."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return ""
    return ".".join([node.id, *reversed(parts)])


def _checked_after_timeout(function: ast.AST) -> set[str]:
    """Handles whose code checks or stops them (``t.is_alive()``, ``p.terminate()``) after a timed-out wait."""
    return {_dotted(node.func.value) for node in ast.walk(function)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in _AFTER_TIMEOUT}


def _dictionary_lookup(call: ast.Call, scope: Scope) -> bool:
    """``event.get("body")`` reads a mapping; ``requests.get(url)`` and ``driver.get(url)`` do I/O."""
    root = call.func
    while isinstance(root, ast.Attribute):
        root = root.value
    if isinstance(root, ast.Name) and root.id in scope.imports:
        return False
    first = call.args[0] if call.args else None
    return isinstance(first, ast.Constant) and isinstance(first.value, str) and not first.value.startswith("http")
