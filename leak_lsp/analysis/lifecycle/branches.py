"""Branch refinement: the handle a condition proves reaches no pending work on one of its branches
(``if t:`` false, ``t.is_alive()`` false, ``p.poll() is not None`` true, ``if pid == 0:`` in the child)."""

from __future__ import annotations

import ast

from leak_lsp.analysis.catalogue import ENDED_WHEN_FALSE, ENDED_WHEN_NOT_NONE, ENDED_WHEN_TRUE, EXIT_STATUS_ATTRIBUTES
from leak_lsp.analysis.lifecycle.handles import Handle, variable
from leak_lsp.analysis.lifecycle.syntax import is_zero


def settled_on_branch(test: ast.expr, value: bool) -> Handle | None:
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return settled_on_branch(test.operand, not value)
    if isinstance(test, ast.BoolOp):
        return _settled_on_compound(test, value)
    tested = _tested(test)
    if tested is not None:
        return tested if not value else None
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        return _settled_by_comparison(test, value)
    if isinstance(test, ast.Call) and isinstance(test.func, ast.Attribute):
        if test.func.attr in (ENDED_WHEN_TRUE if value else ENDED_WHEN_FALSE):
            return _tested(test.func.value)
    return None


def _settled_by_comparison(test: ast.Compare, value: bool) -> Handle | None:
    """``t is None``, ``p.poll() is not None``, ``p.returncode is not None``, ``pid == 0``."""
    comparator = test.comparators[0]
    if isinstance(comparator, ast.Constant) and comparator.value is None:
        is_none = isinstance(test.ops[0], ast.Is) == value
        left = test.left
        if is_none:
            return _tested(left)
        if isinstance(left, ast.Call) and isinstance(left.func, ast.Attribute) and left.func.attr in ENDED_WHEN_NOT_NONE:
            return _tested(left.func.value)  # ``p.poll() is not None``: the child has ended
        if isinstance(left, ast.Attribute) and left.attr in EXIT_STATUS_ATTRIBUTES:
            return _tested(left.value)
        return None
    if isinstance(test.left, ast.Name) and is_zero(comparator) and isinstance(test.ops[0], (ast.Eq, ast.NotEq)):
        in_child = isinstance(test.ops[0], ast.Eq) == value  # ``if pid == 0:`` runs in the forked child
        return variable(test.left.id) if in_child else None
    return None


def _tested(node: ast.expr) -> Handle | None:
    """The handle a condition tests work through: a variable, or ``self.<attribute>`` in a method."""
    if isinstance(node, ast.Name):
        return variable(node.id)
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
        return variable(f"self.{node.attr}")
    return None


def _settled_on_compound(test: ast.BoolOp, value: bool) -> Handle | None:
    """``t and t.is_alive()`` false, ``t is None or t.done()`` true: the work behind ``t`` is settled.

    The branch where every operand took the deciding value (``and`` true, ``or`` false) follows
    from each operand, so one operand that settles suffices; on the other branch, only one
    operand is known to have taken it, so every operand must settle the same handle.
    """
    every_operand = value == isinstance(test.op, ast.Or)
    handles = [settled_on_branch(operand, value) for operand in test.values]
    if every_operand:
        return handles[0] if handles[0] is not None and all(handle == handles[0] for handle in handles) else None
    return next((handle for handle in handles if handle is not None), None)
