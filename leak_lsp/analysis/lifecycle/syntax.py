"""Questions about Python syntax the lifecycle analysis asks: no state, no catalogue of work kinds
beyond the names it imports."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable

from leak_lsp.analysis.catalogue import (
    CALLBACK_KEYWORDS,
    CALLBACK_POSITION,
    CONTAINER_VIEWS,
    FUTURE_RESOLVERS,
    Catalogue,
)
from leak_lsp.analysis.names import Scope
from leak_lsp.analysis.parsing import child_nodes, descendants


def walk_loop_body(body: list[ast.stmt]) -> Iterable[ast.AST]:
    """A loop body, not nested loops (whose ``break`` is their own)."""
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, (ast.For, ast.AsyncFor, ast.While, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            stack.extend(child_nodes(node))


def guarded_by_settings(nodes: list[ast.AST], module_names: set[str]) -> dict[int, tuple[str, object] | None]:
    """Nodes under ``if SETTINGS["mode"] == "thread":``: a branch a module-level setting switches on or off,
    with the setting and the value its body requires (None when the test is not that simple)."""
    guarded: dict[int, tuple[str, object] | None] = {}
    for node in nodes:
        if isinstance(node, ast.If) and _tests_a_setting(node.test, module_names):
            test = node.test
            simple = isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq) \
                and isinstance(test.comparators[0], ast.Constant)
            requires = (ast.unparse(test.left), test.comparators[0].value) if simple else None  # type: ignore[attr-defined]
            guarded.update({id(inner): requires for inner in ast.walk(ast.Module(body=node.body, type_ignores=[]))})
            guarded.update({id(inner): None for statement in node.orelse for inner in ast.walk(statement)})
    return guarded


def _tests_a_setting(test: ast.expr, module_names: set[str]) -> bool:
    if isinstance(test, ast.BoolOp):
        return any(_tests_a_setting(value, module_names) for value in test.values)
    if not (isinstance(test, ast.Compare) and any(isinstance(c, ast.Constant) for c in test.comparators)):
        return False
    root = test.left
    while isinstance(root, (ast.Subscript, ast.Attribute)):
        root = root.value
    return isinstance(root, ast.Name) and root.id in module_names and (
        root.id.isupper() or any(word in root.id.lower() for word in ("setting", "config", "option")))


def has_timeout(call: ast.Call, position: int) -> bool:
    """A ``timeout`` argument (keyword or at ``position``) that is not ``None``."""
    value = next((kw.value for kw in call.keywords if kw.arg == "timeout"),
                 call.args[position] if len(call.args) > position else None)
    return value is not None and not (isinstance(value, ast.Constant) and value.value is None)


def callback_of(constructor: ast.Call) -> ast.expr | None:
    """The function a ``Thread``/``Timer``/``Process`` runs: ``target=`` or ``function=``, or the second argument."""
    return next((kw.value for kw in constructor.keywords if kw.arg in CALLBACK_KEYWORDS),
                constructor.args[CALLBACK_POSITION] if len(constructor.args) > CALLBACK_POSITION else None)


def passed_to(constructor: ast.Call, callback: ast.AST) -> dict[str, str]:
    """``Thread(target=produce, args=(loop, fut))``: the callback's parameters named by the caller's variables."""
    arguments = next((keyword.value for keyword in constructor.keywords if keyword.arg == "args"), None)
    if not isinstance(arguments, (ast.Tuple, ast.List)) or not isinstance(callback, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return {}
    params = [arg.arg for arg in callback.args.posonlyargs + callback.args.args]
    return {param: argument.id for param, argument in zip(params, arguments.elts) if isinstance(argument, ast.Name)}


def resolved_future(call: ast.Call) -> set[str]:
    """``loop.call_soon_threadsafe(fut.set_result, value)``: waiting for ``fut`` waits for the callback too."""
    callback = call.args[0] if call.args else None
    if isinstance(callback, ast.Attribute) and callback.attr in FUTURE_RESOLVERS \
            and isinstance(callback.value, ast.Name):
        return {callback.value.id}
    return set()


def self_parameter(function: ast.AST) -> str | None:
    """The instance parameter of a method (``self``), None for static methods and plain functions."""
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) or not function.args.args:
        return None
    if any(isinstance(d, ast.Name) and d.id in {"staticmethod", "classmethod"} for d in function.decorator_list):
        return None
    first = function.args.args[0].arg
    return first if first == "self" else None


def assigned_names(function: ast.AST, nodes: list[ast.AST]) -> set[str]:
    names = set(parameters(function))
    for node in nodes:
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


def stored_names(target: ast.expr) -> list[str]:
    return [node.id for node in ast.walk(target) if isinstance(node, ast.Name)]


def parameters(function: ast.AST) -> list[str]:
    """A function's parameter names, without ``self`` and ``cls``."""
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return []
    arguments = function.args
    names = [a.arg for a in arguments.posonlyargs + arguments.args + arguments.kwonlyargs]
    return [name for name in names if name not in {"self", "cls"}]


def stored_parameters(function: ast.AST) -> dict[int, str]:
    """``self.driver = driver`` in a method's body: the parameter's index and the attribute keeping it."""
    params = parameters(function)
    body = getattr(function, "body", [])
    return {params.index(statement.value.id): target.attr for statement in body
            if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Name)
            and statement.value.id in params for target in statement.targets
            if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
            and target.value.id in {"self", "cls"}}


def root_name(node: ast.expr) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call, ast.Starred)):
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Attribute) and node.func.attr in CONTAINER_VIEWS:
                node = node.func.value
                continue
            return None
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def settles_name(nodes: Iterable[ast.AST], name: str, known: Catalogue, scope: Scope) -> bool:
    """Whether code settles the work a variable holds: ``t.join()``, ``await t``, ``wait(t)``."""
    for root in nodes:
        for node in descendants(root):
            if isinstance(node, ast.Await) and isinstance(node.value, ast.Name) and node.value.id == name:
                return True
            if isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Attribute) and func.attr in known.settle_methods and isinstance(func.value, ast.Name) \
                        and func.value.id == name:
                    return True
                qualified = scope.qualify(func) or ""
                if qualified in known.settle_functions and any(
                        isinstance(a, ast.Name) and a.id == name for a in node.args):
                    return True
    return False


def positional(node: ast.Call, index: int) -> ast.expr | None:
    return node.args[index] if index < len(node.args) else None


def is_zero(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and not isinstance(node.value, bool) and node.value == 0


def false_keyword(node: ast.Call, name: str) -> bool:
    return any(kw.arg == name and isinstance(kw.value, ast.Constant) and kw.value.value is False for kw in node.keywords)


def keyword_value(node: ast.Call, name: str, predicate: Callable[[str], bool]) -> bool:
    return any(kw.arg == name and predicate(ast.unparse(kw.value)) for kw in node.keywords)
