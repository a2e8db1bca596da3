"""Name resolution: local names to qualified names (``th.Thread`` -> ``threading.Thread``).

Flow-insensitive on purpose: an import anywhere in a module or function makes the name
mean the same everywhere in it, which is how real code is written.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import cast

LOCAL = "<module>"  # prefix of qualified names defined in the analysed module


@dataclass
class Scope:
    """What names mean in a module, or in a function on top of its module."""

    imports: dict[str, str] = field(default_factory=dict)
    classes: dict[str, ast.ClassDef] = field(default_factory=dict)
    functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = field(default_factory=dict)

    def child(self, function: ast.AST) -> Scope:
        scope = Scope(dict(self.imports), self.classes, self.functions)
        scope.imports.update(_imports_in(function.body if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) else []))
        return scope

    def qualify(self, node: ast.AST) -> str | None:
        """The qualified name an expression refers to, or None when it is not a plain name path."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        root = self.imports.get(node.id)
        if root is None:
            if node.id in self.classes or node.id in self.functions:
                root = f"{LOCAL}.{node.id}"
            else:
                root = node.id
        return ".".join([root, *reversed(parts)])

    def class_lineage(self, qualified: str | None, seen: frozenset[str] = frozenset()) -> list[str]:
        """The name itself, then every base of a local class, transitively."""
        if qualified is None:
            return []
        lineage = [qualified]
        if qualified.startswith(LOCAL + ".") and qualified not in seen:
            cls = self.classes.get(qualified[len(LOCAL) + 1 :])
            if cls is not None:
                for base in cls.bases:
                    lineage += self.class_lineage(self.qualify(base), seen | {qualified})
        return lineage

    def render(self, qualified: str) -> tuple[str, str | None]:
        """Source text for a qualified name in this file, and the import it needs, if any."""
        module, _, attribute = qualified.rpartition(".")
        for local, target in self.imports.items():
            if target == qualified:
                return local, None
        for local, target in self.imports.items():
            if target == module:
                return f"{local}.{attribute}", None
        top = qualified.split(".")[0]
        if self.imports.get(top) == top:
            return qualified, None
        return qualified, f"import {module}"


def _imports_in(statements: Iterable[ast.stmt]) -> Mapping[str, str]:
    names: dict[str, str] = {}
    for statement in walk_statements(statements):
        if isinstance(statement, ast.Import):
            for alias in statement.names:
                if alias.asname:
                    names[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    names[top] = top
        elif isinstance(statement, ast.ImportFrom):
            module = "." * statement.level + (statement.module or "")
            for alias in statement.names:
                if alias.name != "*":
                    names[alias.asname or alias.name] = f"{module}.{alias.name}" if statement.module else f"{module}{alias.name}"
    return names


def walk_statements(statements: Iterable[ast.stmt]) -> Iterable[ast.stmt]:
    """Statements, into blocks but not into nested functions or classes."""
    stack: list[ast.stmt] = list(statements)[::-1]  # except handlers and match cases are walked as statements
    while stack:
        statement = stack.pop()
        yield statement
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for name in ("body", "orelse", "finalbody", "handlers", "cases"):
            children = getattr(statement, name, None)
            if isinstance(children, list):
                stack.extend(reversed([cast(ast.stmt, child) for child in children if isinstance(child, ast.AST)]))


def all_statements(node: ast.AST) -> Iterator[ast.AST]:
    """Every statement under a node, those of nested functions and classes too (with the ``except``
    and ``case`` clauses holding them): what ``ast.walk`` finds of them without visiting expressions."""
    stack: list[ast.AST] = [node]
    while stack:
        current = stack.pop()
        yield current
        for name in ("body", "orelse", "finalbody", "handlers", "cases"):
            children = getattr(current, name, None)
            if isinstance(children, list):
                stack.extend(child for child in children if isinstance(child, ast.AST))


def module_scope(tree: ast.Module) -> Scope:
    scope = Scope()
    scope.imports.update(_imports_in(tree.body))
    for statement in walk_statements(tree.body):
        if isinstance(statement, ast.ClassDef):
            scope.classes.setdefault(statement.name, statement)
        elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            scope.functions.setdefault(statement.name, statement)
    return scope


def may_switch(call: ast.Call) -> bool:
    """A call :func:`keyword_switches` may read a switch from: one giving a keyword a constant or a name
    (most calls give none; an incremental analysis keeps the few that do with their statement)."""
    return any(keyword.arg and isinstance(keyword.value, (ast.Constant, ast.Name, ast.Attribute)) for keyword in call.keywords)


def keyword_switches(calls: Iterable[ast.Call], scope: Scope) -> set[tuple[str, str]]:
    """The settings a library reads once, for the whole process: (call, keyword) for ``keyword=True``
    (``App(process_before_response=True)``), (call, ``keyword=False``), and (call, ``keyword=qualified.Name``)
    for an imported class or function given as the value (``Client(transport=HTTPTransport)``)."""
    switches: set[tuple[str, str]] = set()
    for node in calls:
        called = scope.qualify(node.func) or ""
        for keyword in node.keywords:
            value = keyword.value
            if not keyword.arg:
                continue
            if isinstance(value, ast.Constant) and isinstance(value.value, bool):
                switches.add((called, keyword.arg if value.value else f"{keyword.arg}=False"))
            elif isinstance(value, (ast.Name, ast.Attribute)) and (named := scope.qualify(value)):
                switches.add((called, f"{keyword.arg}={named}"))
    return switches


def module_constructions(tree: ast.Module) -> dict[str, str]:
    """Module-level names bound to a library call (``EXECUTOR = ThreadPoolExecutor()``), with the
    qualified name of that call: what a module importing the name shares with every invocation."""
    scope = module_scope(tree)
    found: dict[str, str] = {}
    for statement in walk_statements(tree.body):
        if isinstance(statement, (ast.Assign, ast.AnnAssign)) and isinstance(statement.value, ast.Call):
            called = scope.qualify(statement.value.func)
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            if called and not called.startswith(LOCAL):
                found.update(dict.fromkeys((target.id for target in targets if isinstance(target, ast.Name)), called))
    return found
