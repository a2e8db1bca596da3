"""The classification of Python statements and expressions into effects (``effects.py``).

``Classifier`` walks one statement (or branch test) in evaluation order and hands each effect to
``Pending.apply`` as it goes, so a later part of the statement sees what an earlier part did
(``await t`` then ``t`` again). It never changes the state itself. Calls are classified in
``calls.py``, calls to helpers whose summaries are known in ``helpers.py``.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

from leak_lsp.analysis.catalogue import CONTAINER_VIEWS, ITERATED_WAITS
from leak_lsp.analysis.lifecycle import calls, helpers
from leak_lsp.analysis.lifecycle.effects import (
    Bind,
    Collect,
    Effect,
    Handles,
    HandOff,
    Only,
    Return,
    Settle,
    Start,
    Unbind,
    changes_nothing,
)
from leak_lsp.analysis.lifecycle.facts import Facts
from leak_lsp.analysis.lifecycle.handles import Handle, HandleKind, fresh, variable
from leak_lsp.analysis.lifecycle.syntax import settles_name, stored_names, walk_loop_body
from leak_lsp.analysis.lifecycle.work import Sites
from leak_lsp.analysis.parsing import child_nodes
from leak_lsp.rules.rule import WorkKind

NOTHING: Handles = frozenset()
Comprehension = ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp


class Classifier:
    """The effects of one statement (or test), emitted to ``emit`` in the order they happen."""

    def __init__(self, facts: Facts, sites: Sites, reaches: Callable[[Handle], bool], emit: Callable[[Effect], None],
                 statement: ast.stmt | None) -> None:
        self.facts = facts
        self.sites = sites
        self.reaches = reaches  # whether some pending work is reachable through a handle
        self._emit = emit
        self.current = statement

    def emit(self, effect: Effect) -> None:
        if not changes_nothing(effect):
            self._emit(effect)

    # -- statements ------------------------------------------------------------------------
    def statement(self, stmt: ast.stmt) -> None:
        classify = _STATEMENTS.get(type(stmt))
        if classify is not None:
            classify(self, stmt)
        elif not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for child in ast.iter_child_nodes(stmt):
                if isinstance(child, ast.expr):
                    self.evaluate(child)

    def expression_statement(self, stmt: ast.Expr) -> None:
        self.evaluate(stmt.value, top=True)

    def assignment(self, stmt: ast.Assign | ast.AnnAssign) -> None:
        if stmt.value is not None:
            handles = self.evaluate(stmt.value, top=True)
            for target in stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]:
                self.assign(target, stmt.value, handles)

    def augmented_assignment(self, stmt: ast.AugAssign) -> None:
        handles = self.evaluate(stmt.value)
        if isinstance(stmt.target, ast.Name) and handles:
            self.emit(Collect(variable(stmt.target.id), handles))

    def return_statement(self, stmt: ast.Return) -> None:
        if stmt.value is not None:
            handles = self.evaluate(stmt.value)
            if self.facts.mode == "helper" and handles:
                self.emit(Return(handles))

    def with_statement(self, stmt: ast.With | ast.AsyncWith) -> None:
        for item in stmt.items:
            handles = self.evaluate(item.context_expr)
            instance = helpers.with_instance(self, item.context_expr)
            if instance is not None and handles:  # what ``__init__`` started is ``self`` to ``__exit__`` too
                self.emit(Bind(instance, handles))
            if item.optional_vars is not None:
                self.assign(item.optional_vars, item.context_expr, handles)
            self.context_manager(item.context_expr, "__aenter__" if isinstance(stmt, ast.AsyncWith) else "__enter__")

    def raise_statement(self, stmt: ast.Raise) -> None:
        if stmt.exc is not None:
            self.evaluate(stmt.exc)

    def delete(self, stmt: ast.Delete) -> None:
        for target in stmt.targets:
            if isinstance(target, ast.Name):
                self.emit(Unbind(variable(target.id)))

    def match(self, stmt: ast.Match) -> None:
        self.evaluate(stmt.subject)

    def for_header(self, stmt: ast.For | ast.AsyncFor) -> None:
        handles = self.evaluate(stmt.iter)
        broken = any(isinstance(node, ast.Break) for node in walk_loop_body(stmt.body))
        target = stmt.target.id if isinstance(stmt.target, ast.Name) else None
        if target and settles_name(stmt.body, target, self.facts.catalogue, self.facts.scope):
            self.emit(Settle(handles))
        if not broken:
            self.consume(stmt.iter, handles)
        for name in stored_names(stmt.target):
            self.emit(Unbind(variable(name)))
        if isinstance(stmt, ast.AsyncFor):
            self.emit(Settle(_fresh_only(handles)))

    def context_manager(self, expression: ast.expr, method: str) -> None:
        """``with Guard(...)``: what a context manager of this module does on entering or leaving."""
        helpers.context_manager(self, expression, method)

    # -- names -------------------------------------------------------------------------------
    def assign(self, target: ast.expr, value: ast.expr, handles: Handles) -> None:
        if isinstance(target, ast.Name):
            if target.id in self.facts.globals:
                self.emit(HandOff(handles, f"the module-level `{target.id}`", target.id))
                return
            self.emit(Bind(variable(target.id), handles))
        elif isinstance(target, (ast.Tuple, ast.List)):
            self.assign_parts(target, value, handles)
        elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) and handles:
            self.collect_or_hand_off(target.value.id, handles)
        elif isinstance(target, ast.Attribute) and (attribute := self.facts.attribute_handle(target)) is not None:
            self.emit(Bind(attribute, handles))
        elif isinstance(target, ast.Attribute) and handles:
            self.emit(HandOff(handles, f"`{ast.unparse(target)}`", ast.unparse(target)))
        elif isinstance(target, ast.Starred):
            self.assign(target.value, value, handles)

    def assign_parts(self, target: ast.Tuple | ast.List, value: ast.expr, handles: Handles) -> None:
        """``a, b = x, y`` part by part; ``a, b = pair``: every part may reach what ``pair`` reaches."""
        if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts):
            for part, part_value in zip(target.elts, value.elts):
                self.assign(part, part_value, self.handles_of(part_value))
        else:
            for part in target.elts:
                self.assign(part.value if isinstance(part, ast.Starred) else part, value, handles)

    def collect_or_hand_off(self, container: str, handles: Handles) -> None:
        facts = self.facts
        if container in facts.local_names and container not in facts.globals:
            self.emit(Collect(variable(container), handles))
        elif container in facts.env.module_names or container in facts.globals:
            self.emit(HandOff(handles, f"the module-level `{container}`", container))
        else:
            self.emit(HandOff(handles, f"`{container}`", container))

    def consume(self, iterable: ast.expr, handles: Handles) -> None:
        """Iterating to the end consumes executor ``map`` iterators and ``as_completed``."""
        self.emit(Settle(handles, Only.ITERATORS))
        if isinstance(iterable, ast.Call):
            qualified = self.facts.scope.qualify(iterable.func) or ""
            if qualified.endswith(ITERATED_WAITS):
                for argument in iterable.args:
                    self.emit(Settle(self.handles_of(argument)))

    def handles_of(self, node: ast.expr) -> Handles:
        """Handles through which an expression reaches pending work, without evaluating calls."""
        if isinstance(node, ast.Name):
            handle = variable(node.id)
            return frozenset({handle}) if self.reaches(handle) else NOTHING
        attribute = self.facts.attribute_handle(node)
        if attribute is not None:
            return frozenset({attribute}) if self.reaches(attribute) else NOTHING
        if isinstance(node, ast.Starred):
            return self.handles_of(node.value)
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            return NOTHING.union(*(self.handles_of(element) for element in node.elts))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in CONTAINER_VIEWS:
            return self.handles_of(node.func.value)
        return NOTHING

    # -- expressions ---------------------------------------------------------------------------
    def evaluate(self, node: ast.expr, top: bool = False, awaited: bool = False) -> Handles:
        """Emit the effects of an expression; return the handles through which its value reaches work."""
        if isinstance(node, ast.Name):  # the commonest first
            return self.handles_of(node)
        if isinstance(node, ast.Constant):
            return NOTHING
        if isinstance(node, ast.Await):
            handles = self.evaluate(node.value, awaited=True)
            self.emit(Settle(handles, Only.AWAITABLE))
            return frozenset(handle for handle in handles if self.reaches(handle))
        if isinstance(node, ast.Call):
            return calls.classify_call(self, node, top, awaited)
        if isinstance(node, ast.NamedExpr):
            handles = self.evaluate(node.value)
            target = variable(node.target.id)
            self.emit(Bind(target, handles))
            return frozenset({target}) if handles else NOTHING
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            return self.comprehension(node)
        if isinstance(node, ast.Lambda):
            return NOTHING
        if self.facts.attribute_handle(node) is not None:
            return self.handles_of(node)
        if isinstance(node, ast.Dict):
            return NOTHING.union(*(self.evaluate(part) for part in [*node.keys, *node.values] if part is not None))
        return self.evaluate_parts(node)

    def evaluate_parts(self, node: ast.expr) -> Handles:
        """Any other expression: its parts in order; a tuple, list, set or choice reaches what its parts do."""
        carries = isinstance(node, (ast.Tuple, ast.List, ast.Set, ast.Starred, ast.IfExp, ast.BoolOp))
        handles = NOTHING
        for child in child_nodes(node):
            if isinstance(child, ast.expr):
                found = self.evaluate(child)
                if carries:
                    handles = handles | found
        return handles

    def comprehension(self, node: Comprehension) -> Handles:
        elements = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
        for generator in node.generators:
            handles = self.evaluate(generator.iter)
            target = generator.target.id if isinstance(generator.target, ast.Name) else None
            if target and settles_name([*elements, *generator.ifs], target, self.facts.catalogue, self.facts.scope):
                self.emit(Settle(handles))
            if not isinstance(node, ast.GeneratorExp):
                self.consume(generator.iter, handles)
        return NOTHING.union(*(_fresh_only(self.evaluate(element)) for element in elements))

    # -- work --------------------------------------------------------------------------------
    def create(self, kind: WorkKind, node: ast.AST, names: Handles = NOTHING, **details: Any) -> Handles:
        """Work of ``kind`` starts at ``node``: pending through a fresh handle and ``names``."""
        site = self.sites.site(kind, node, self.current, **details)
        if id(node) in self.facts.guarded:
            work = self.sites.works[site]
            work.guarded = True
            work.requires = self.facts.guarded[id(node)]
        handle = fresh(str(site))
        self.emit(Start(site, names | {handle}))
        return frozenset({handle})


def _fresh_only(handles: Handles) -> Handles:
    return frozenset(handle for handle in handles if handle.kind is HandleKind.FRESH)


_STATEMENTS: dict[type, Callable[[Classifier, Any], None]] = {
    ast.Expr: Classifier.expression_statement,
    ast.Assign: Classifier.assignment,
    ast.AnnAssign: Classifier.assignment,
    ast.AugAssign: Classifier.augmented_assignment,
    ast.Return: Classifier.return_statement,
    ast.With: Classifier.with_statement,
    ast.AsyncWith: Classifier.with_statement,
    ast.Raise: Classifier.raise_statement,
    ast.Delete: Classifier.delete,
    ast.Match: Classifier.match,
}
