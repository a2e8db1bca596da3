"""What a deployment file says about one entry point, before it is checked against the code."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from leak_lsp.analysis.model import Span
from leak_lsp.project.files import read_source
from leak_lsp.project.located import Located

_PYTHON_RUNTIME = re.compile(r"python", re.IGNORECASE)
_BLOCKS = (ast.If, ast.Try, ast.With, ast.AsyncWith, *([ast.TryStar] if hasattr(ast, "TryStar") else []))


@dataclass(frozen=True)
class Claim:
    """An entry point named by a deployment file.

    ``modules`` are the candidate files (relative to ``code_dir``) in the order the
    platform tries them, ``None`` when the handler string is malformed. ``python`` is
    ``None`` when the file does not say which runtime runs it: such a claim is kept only
    when it names an existing Python file, so Node or Java handlers stay silent.
    """

    origin: Path
    platform: str
    name: str
    label: str
    code_dir: Path
    modules: tuple[str, ...] | None
    function: str
    module_span: Span
    function_span: Span
    python: bool | None


def runtime_is_python(runtime: object) -> bool | None:
    """``True``/``False`` for a literal runtime name, ``None`` when absent or computed."""
    if isinstance(runtime, str):
        return bool(_PYTHON_RUNTIME.match(runtime))
    return None


def lambda_handler_claim(
    handler: Located, *, origin: Path, platform: str, name: str, code_dir: Path, python: bool | None
) -> Claim:
    """A Lambda-style ``module.function`` handler; the module part may use ``/`` or ``.``
    (``src/handlers/users.create``, ``pkg.mod.fn``), as the Python runtime client accepts."""
    module_part, _, function = handler.rpartition(".")
    parts = module_part.replace("/", ".").split(".")
    valid = bool(module_part) and bool(function) and all(parts)
    modules = ("/".join(parts) + ".py", "/".join(parts) + "/__init__.py") if valid else None
    return Claim(
        origin=origin,
        platform=platform,
        name=name,
        label=f"handler `{handler}`",
        code_dir=code_dir,
        modules=modules,
        function=function,
        module_span=handler.span,
        function_span=handler.span,
        python=python,
    )


class ModuleNames:
    """Top-level names of Python modules, read with ``ast`` once per file and scan.

    ``read_text`` gives a module's text (an editor's unsaved text counts); the disk by default.
    """

    def __init__(self, read_text: Callable[[Path], str | None] | None = None) -> None:
        self.known: dict[Path, frozenset[str] | None] = {}
        self.read_text = read_text or read_source

    def defines(self, module: Path, name: str) -> bool:
        """Whether ``name`` is bound at the top of ``module``; ``True`` when that cannot be
        told (unreadable file, syntax error, ``import *``) so no false problem is reported."""
        if module not in self.known:
            text = self.read_text(module)
            self.known[module] = None if text is None else _top_level_names(text)
        names = self.known[module]
        return names is None or name in names


def _top_level_names(text: str) -> frozenset[str] | None:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return None
    names: set[str] = set()
    for statement in _top_level_statements(tree.body):
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            if any(alias.name == "*" for alias in statement.names):
                return None
            names.update((alias.asname or alias.name).partition(".")[0] for alias in statement.names)
        elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(statement.name)
        else:
            names.update(_assigned_names(statement))
    return frozenset(names)


def _top_level_statements(body: list[ast.stmt]) -> list[ast.stmt]:
    """Statements run at import, looking inside ``if``/``try``/``with`` blocks (conditional
    definitions such as ``try: from x import handler except ImportError: def handler...``)."""
    statements: list[ast.stmt] = []
    for statement in body:
        statements.append(statement)
        if isinstance(statement, _BLOCKS):
            block: list[ast.stmt] = getattr(statement, "body", [])  # every _BLOCKS type has one
            nested = [*block, *getattr(statement, "orelse", []), *getattr(statement, "finalbody", [])]
            nested += [line for handler in getattr(statement, "handlers", []) for line in handler.body]
            statements.extend(_top_level_statements(nested))
    return statements


def _assigned_names(statement: ast.stmt) -> set[str]:
    targets: list[ast.expr] = []
    if isinstance(statement, ast.Assign):
        targets = statement.targets
    elif isinstance(statement, (ast.AnnAssign, ast.AugAssign)):
        targets = [statement.target]
    return {node.id for target in targets for node in ast.walk(target) if isinstance(node, ast.Name)}
