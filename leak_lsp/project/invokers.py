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
from functools import lru_cache
from pathlib import Path

from leak_lsp.analysis.handlers import has_module_level_handler
from leak_lsp.analysis.parsing import top_level_texts

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
        facts = module_facts(read_text(handler_module))
        if facts is None or not facts.has_handler:
            continue
        for module, class_name in _imported_classes(facts.imports, handler_module, module_path, read_text):
            methods = _public_methods(parse_module(read_text(module)), class_name) & facts.called
            for method in sorted(methods):
                pattern = f"{class_name}.{method}"
                found.setdefault(module, {}).setdefault(pattern, Invoked(pattern, handler_module))
    return {module: list(invoked.values()) for module, invoked in found.items()}


@dataclass(frozen=True)
class ModuleFacts:
    """What the scan reads of a handler module."""

    has_handler: bool  # a module-level ``(event, context)`` function
    called: frozenset[str]  # method names its functions call
    imports: tuple[ast.ImportFrom, ...]  # its module-level ``from`` imports

    @staticmethod
    def of(tree: ast.Module) -> ModuleFacts:
        return ModuleFacts(has_module_level_handler(tree), frozenset(_called_methods(tree)),
                           tuple(node for node in tree.body if isinstance(node, ast.ImportFrom)))


@lru_cache(maxsize=16)  # an edit asks twice: may it change the scan, then the scan
def module_facts(text: str | None) -> ModuleFacts | None:
    """The facts of a module that parses, gathered per top-level chunk and kept by the chunk's text: the
    server scans again on every edit of a handler module, which then reads only the chunks it touched.
    A chunk that does not parse alone (a string holding code at column 0) leaves it to the whole parse."""
    if text is None:
        return None
    parts = [_chunk_facts(chunk) for chunk in top_level_texts(text)]
    if any(part is None for part in parts):
        tree = parse_module(text)
        return ModuleFacts.of(tree) if tree is not None else None
    known = [part for part in parts if part is not None]
    return ModuleFacts(any(part.has_handler for part in known), frozenset().union(*(part.called for part in known)),
                       tuple(node for part in known for node in part.imports))


@lru_cache(maxsize=8192)
def _chunk_facts(chunk: str) -> ModuleFacts | None:
    tree = parse_module(chunk)
    return ModuleFacts.of(tree) if tree is not None else None


def _imported_classes(imports: tuple[ast.ImportFrom, ...], importer: Path, module_path: ModulePath,
                      read_text: TextReader) -> Iterable[tuple[Path, str]]:
    """``from pkg import Name``: the module defining the class, through one package re-export."""
    for node in imports:
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
