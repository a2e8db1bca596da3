"""Handler discovery: which functions a platform calls once per invocation, and why.

Shapes come from DOMAIN.md: AWS Lambda ``(event, context)`` functions and methods,
callable classes, decorated and wrapped handlers; Azure Functions v1 and v2; Google
Cloud Functions; and handlers named in ``[tool.leak-lsp] handlers``.
"""

from __future__ import annotations

import ast
import fnmatch
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from leak_lsp.analysis.names import Scope

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef

_EVENT = re.compile(r"_*(event|evt|ev|e|lambda_event|\w+_event|event_\w+)", re.IGNORECASE)
_CONTEXT = re.compile(r"_*(context|ctx|c|lambda_context|\w+_context|_)", re.IGNORECASE)

_DECORATOR_METHODS = {
    # Powertools (logger/tracer/metrics instances), Datadog, Sentry, Chalice, Azure v2
    "inject_lambda_context": "aws-lambda",
    "capture_lambda_handler": "aws-lambda",
    "log_metrics": "aws-lambda",
    "lambda_function": "aws-lambda",
}
_DECORATOR_FUNCTIONS = {
    "datadog_lambda.wrapper.datadog_lambda_wrapper": "aws-lambda",
    "aws_lambda_powertools.middleware_factory.lambda_handler_decorator": "aws-lambda",
    "aws_lambda_powertools.utilities.typing.lambda_handler": "aws-lambda",
    "sentry_sdk.integrations.serverless.serverless_function": "aws-lambda",
    "functions_framework.http": "gcp-functions",
    "functions_framework.cloud_event": "gcp-functions",
    "functions_framework.typed": "gcp-functions",
    "functions_framework.errorhandler": "gcp-functions",
}
_APP_FACTORIES = {
    "chalice.Chalice": "aws-lambda",
    "chalice.app.Chalice": "aws-lambda",
    "azure.functions.FunctionApp": "azure-functions",
    "azure.functions.Blueprint": "azure-functions",
    "azure.functions.AsgiFunctionApp": "azure-functions",
    "azure.functions.WsgiFunctionApp": "azure-functions",
}
_WEB_ADAPTERS = {
    "mangum.Mangum": "aws-lambda",
    "serverless_wsgi.handle_request": "aws-lambda",
    "apig_wsgi.make_lambda_handler": "aws-lambda",
    "awsgi.response": "aws-lambda",
    "azure.functions.AsgiMiddleware": "azure-functions",
    "azure.functions.WsgiMiddleware": "azure-functions",
    "azure.functions.AsgiFunctionApp": "azure-functions",
    "azure.functions.WsgiFunctionApp": "azure-functions",
}
_WEB_FRAMEWORKS = {
    "fastapi.FastAPI", "fastapi.APIRouter", "flask.Flask", "flask.Blueprint", "starlette.applications.Starlette",
    "starlette.routing.Router",
}
_ROUTE_DECORATORS = {"route", "get", "post", "put", "patch", "delete", "head", "options", "api_route", "websocket"}
_CHALICE_ROUTES = {"route", "lambda_function", "on_s3_event", "on_sns_message", "on_sqs_message", "schedule",
                   "on_cw_event", "on_ws_message", "on_ws_connect", "on_ws_disconnect", "authorizer"}


@dataclass(frozen=True)
class Entry:
    """A discovered handler: the function, its dotted name in the module, and why."""

    function: FunctionNode
    name: str
    platform: str
    reason: str
    owner: ast.ClassDef | None = None


@dataclass(frozen=True)
class NamedEntry:
    """An entry point named outside the code: in settings or a deployment file."""

    pattern: str  # function name, "Class.method", or a glob of them
    platform: str
    reason: str


def discover_handlers(tree: ast.Module, scope: Scope, path: str, configured: list[NamedEntry],
                      calls: dict[str, list[ast.Call]]) -> list[Entry]:
    """``calls`` maps a callee's last name to the module's calls of it (one walk, shared)."""
    apps = _application_objects(tree, scope, calls)
    decorators = {d.id for node in scope.functions.values() for d in node.decorator_list if isinstance(d, ast.Name)}
    local_wrappers = {name for name in decorators & set(scope.functions) if _has_shaped_inner(scope.functions[name])}
    azure_v1 = _azure_v1_folder(path)
    found: dict[int, Entry] = {}
    for function, name, owner in _functions(tree):
        entry = _classify(function, name, owner, scope, apps, local_wrappers, azure_v1, configured)
        if entry is not None and id(function) not in found:
            found[id(function)] = entry
    return sorted(found.values(), key=lambda entry: entry.function.lineno)


def _functions(tree: ast.Module) -> Iterator[tuple[FunctionNode, str, ast.ClassDef | None]]:
    """Every function with its dotted name; nested functions too (wrappers' inner functions)."""
    stack: list[tuple[ast.AST, str, ast.ClassDef | None]] = [(tree, "", None)]
    while stack:
        node, prefix, owner = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                name = f"{prefix}{child.name}"
                yield child, name, owner
                stack.append((child, f"{name}.", None))
            elif isinstance(child, ast.ClassDef):
                stack.append((child, f"{prefix}{child.name}.", child))
            elif isinstance(child, ast.stmt):
                stack.append((child, prefix, owner))


def _positional(function: FunctionNode, owner: ast.ClassDef | None) -> list[str]:
    args = [arg.arg for arg in function.args.posonlyargs + function.args.args]
    if owner is not None and args and not _is_static(function):
        args = args[1:]
    return args


def _is_static(function: FunctionNode) -> bool:
    return any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in function.decorator_list)


def _lambda_shaped(function: FunctionNode, owner: ast.ClassDef | None) -> bool:
    args = _positional(function, owner)
    return len(args) == 2 and bool(_EVENT.fullmatch(args[0])) and bool(_CONTEXT.fullmatch(args[1]))


def _has_shaped_inner(function: FunctionNode) -> bool:
    return any(
        isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef)) and _lambda_shaped(inner, None)
        for inner in ast.walk(function)
        if inner is not function
    )


def _application_objects(tree: ast.Module, scope: Scope, calls: dict[str, list[ast.Call]]) -> dict[str, str]:
    """Module-level names whose decorators register per-invocation functions, with their platform.

    Chalice and Azure FunctionApp objects; and ASGI/WSGI apps (FastAPI, Flask, Starlette,
    with their routers and blueprints) once an adapter serves them from a serverless
    handler (Mangum, serverless-wsgi, apig-wsgi, Azure's AsgiFunctionApp): each request
    is then an invocation of the route.
    """
    apps: dict[str, str] = {}
    web_apps: set[str] = set()
    served_by: str | None = None
    for adapter_name, platform in _WEB_ADAPTERS.items():
        if any((scope.qualify(call.func) or "") == adapter_name for call in calls.get(adapter_name.rsplit(".", 1)[-1], [])):
            served_by = platform
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Call):
            qualified = scope.qualify(statement.value.func) or ""
            names = [target.id for target in statement.targets if isinstance(target, ast.Name)]
            if qualified in _APP_FACTORIES:
                apps.update(dict.fromkeys(names, _APP_FACTORIES[qualified]))
            elif qualified in _WEB_FRAMEWORKS:
                web_apps.update(names)
    if served_by is not None:
        apps.update(dict.fromkeys(web_apps, served_by))
    return apps


def _azure_v1_folder(path: str) -> bool:
    try:
        return (Path(path).parent / "function.json").is_file()
    except (OSError, ValueError):
        return False


def _classify(
    function: FunctionNode,
    name: str,
    owner: ast.ClassDef | None,
    scope: Scope,
    apps: dict[str, str],
    local_wrappers: set[str],
    azure_v1: bool,
    configured: list[NamedEntry],
) -> Entry | None:
    def entry(platform: str, reason: str) -> Entry:
        return Entry(function, name, platform, reason, owner)

    for named in configured:
        if fnmatch.fnmatchcase(name, named.pattern):
            return entry(named.platform, named.reason)
    for decorator in function.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        qualified = scope.qualify(target) or ""
        if qualified in _DECORATOR_FUNCTIONS:
            return entry(_DECORATOR_FUNCTIONS[qualified], f"decorated with @{qualified}")
        if isinstance(target, ast.Attribute):
            receiver = target.value.id if isinstance(target.value, ast.Name) else None
            if receiver in apps and (apps[receiver] == "azure-functions" or target.attr in _CHALICE_ROUTES
                                     or target.attr in _ROUTE_DECORATORS):
                return entry(apps[receiver], f"registered with @{receiver}.{target.attr}")
            if target.attr in _DECORATOR_METHODS:
                return entry(_DECORATOR_METHODS[target.attr], f"decorated with @{ast.unparse(target)}")
        if isinstance(target, ast.Name) and target.id in local_wrappers:
            return entry("aws-lambda", f"wrapped by @{target.id}, whose inner function takes (event, context)")
    if _lambda_shaped(function, owner):
        args = ", ".join(_positional(function, owner))
        where = f"method of {owner.name}" if owner is not None else "function"
        if owner is not None and function.name == "__call__":
            where = f"{owner.name} instances are callable"
        return entry("aws-lambda", f"{where} taking ({args})")
    if owner is None and "." not in name and not apps and _azure_annotated(function, scope):
        return entry("azure-functions", "takes an azure.functions binding")
    if azure_v1 and name == "main":
        return entry("azure-functions", "`main` next to function.json")
    return None


def _azure_annotated(function: FunctionNode, scope: Scope) -> bool:
    for arg in function.args.args:
        if arg.annotation is not None and (scope.qualify(arg.annotation) or "").startswith("azure.functions."):
            return True
    return False
