"""Classes that handler modules elsewhere in the project use on every invocation (issue 9, family 1).

``server.py`` holds ``def handler(event, context)`` and calls ``Server().receive(arg)`` on a class
it imports from ``versions`` (a package re-exporting ``server_v1.Server``): ``Server.receive`` in
``server_v1.py`` runs once per invocation although nothing in its own module says so. Read with
``ast`` only; nothing is imported.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from leak_lsp.analysis.handlers import has_module_level_handler

ModulePath = Callable[[str, str], "Path | None"]  # (module as imported, importer) -> its file
TextReader = Callable[[Path], "str | None"]


@dataclass(frozen=True)
class Invoked:
    """A method of a class in another module that a handler module calls."""

    pattern: str  # "Class.method"
    handler_module: Path


def invoked_methods(handler_modules: Iterable[Path], module_path: ModulePath, read_text: TextReader) -> dict[Path, list[Invoked]]:
    """For each module, the public methods handler modules call on the classes they import from it."""
    found: dict[Path, dict[str, Invoked]] = {}
    for handler_module in handler_modules:
        tree = parse_module(read_text(handler_module))
        if tree is None or not has_module_level_handler(tree):
            continue
        called = _called_methods(tree)
        for module, class_name in _imported_classes(tree, handler_module, module_path, read_text):
            methods = _public_methods(parse_module(read_text(module)), class_name) & called
            for method in sorted(methods):
                pattern = f"{class_name}.{method}"
                found.setdefault(module, {}).setdefault(pattern, Invoked(pattern, handler_module))
    return {module: list(invoked.values()) for module, invoked in found.items()}


def _imported_classes(tree: ast.Module, importer: Path, module_path: ModulePath,
                      read_text: TextReader) -> Iterable[tuple[Path, str]]:
    """``from pkg import Name``: the module defining the class, through one package re-export."""
    for node in tree.body:
        if not isinstance(node, ast.ImportFrom):
            continue
        source = module_path("." * node.level + (node.module or ""), str(importer))
        for alias in node.names:
            if source is None or alias.name == "*":
                continue
            defined = _defining(source, alias.name, module_path, read_text)
            if defined is not None:
                yield defined


def _defining(module: Path, name: str, module_path: ModulePath, read_text: TextReader) -> tuple[Path, str] | None:
    tree = parse_module(read_text(module))
    if tree is None:
        return None
    if any(isinstance(node, ast.ClassDef) and node.name == name for node in tree.body):
        return module, name
    for node in tree.body:  # ``from .server_v1 import Server as ServerV1`` in a package's __init__
        if isinstance(node, ast.ImportFrom) and module.name == "__init__.py":
            for alias in node.names:
                if (alias.asname or alias.name) == name:
                    source = module_path("." * node.level + (node.module or ""), str(module))
                    inner = parse_module(read_text(source)) if source is not None else None
                    if source is not None and inner is not None and any(
                            isinstance(item, ast.ClassDef) and item.name == alias.name for item in inner.body):
                        return source, alias.name
    return None


def _called_methods(tree: ast.Module) -> set[str]:
    """Method names the module's functions call: ``x.receive(...)``, ``Server().receive(...)``."""
    return {node.func.attr for function in tree.body if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef))
            for node in ast.walk(function) if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)}


def _public_methods(tree: ast.Module | None, class_name: str) -> set[str]:
    if tree is None:
        return set()
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == class_name:
            return {item.name for item in node.body if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
                    and not item.name.startswith("_")}
    return set()


def parse_module(text: str | None) -> ast.Module | None:
    """The module's syntax tree, or None when it does not parse (never raises on odd input)."""
    if text is None:
        return None
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
