"""Handler discovery: which functions a platform calls once per invocation, and why.

Shapes each platform calls: AWS Lambda ``(event, context)`` functions and methods,
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

from leak_lsp.analysis.catalogue import catalogue
from leak_lsp.analysis.names import Scope, all_statements
from leak_lsp.analysis.parsing import NodeMemo, TreeIndex, within_lines

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef

_EVENT = re.compile(r"_*(event|evt|ev|e|lambda_event|\w+_event|event_\w+)", re.IGNORECASE)
_CONTEXT = re.compile(r"_*(context|ctx|c|lambda_context|\w+_context|_)", re.IGNORECASE)
# A Cloud Functions (1st gen) background function: the event's payload, then its metadata (event_id, resource).
_BACKGROUND_FUNCTION = ("data", "context")

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
    proven: bool = True  # False for per-invocation code found by evidence, not a platform's entry point
    by_shape: bool = False  # taken for its ``(event, context)`` signature alone


@dataclass(frozen=True)
class NamedEntry:
    """An entry point named outside the code: in settings or a deployment file."""

    pattern: str  # function name, "Class.method", or a glob of them
    platform: str
    reason: str
    proven: bool = True  # False for code another module's handler calls, not a platform's entry point


def discover_handlers(tree: ast.Module, scope: Scope, path: str, configured: list[NamedEntry],
                      index: TreeIndex, memo: NodeMemo | None = None) -> list[Entry]:
    """``index``: the module's calls and attributes by name (one walk, shared); ``memo`` keeps what
    was found in each function while its node is kept (an edit then walks only the functions it touched)."""
    memo = memo or NodeMemo()
    calls = index.calls
    apps = _application_objects(tree, scope, calls)
    decorators = {d.id for node in scope.functions.values() for d in node.decorator_list if isinstance(d, ast.Name)}
    local_wrappers = {name for name in decorators & set(scope.functions)
                      if memo.of(_has_shaped_inner, scope.functions[name])}
    azure_v1 = _azure_v1_folder(path)
    found: dict[int, Entry] = {}
    functions = _functions(tree, memo)
    for function, name, owner in functions:
        positional = memo.of(_positional, function, owner)  # a function's owner is the one its place gives
        entry = _classify(function, name, owner, positional, scope, apps, local_wrappers, azure_v1, configured)
        if entry is not None and id(function) not in found:
            found[id(function)] = entry
    for key in _helpers_of_entries(found, calls):
        del found[key]  # ``self._init(event, context)`` from the handler: a helper its caller's analysis follows
    for entry in _per_invocation(tree, functions, found, index, memo):
        found.setdefault(id(entry.function), entry)
    return sorted(found.values(), key=lambda entry: entry.function.lineno)


def _helpers_of_entries(found: dict[int, Entry], calls: dict[str, list[ast.Call]]) -> list[int]:
    """Shaped entries called by a proven entry (``self._init(event, context)`` too), or by name (``Job(event,
    context)``) from a shaped one that nothing in the module calls: helpers their caller's analysis follows."""
    proven = [entry.function for entry in found.values() if not entry.by_shape]
    top = [entry.function for entry in found.values() if entry.by_shape and not _called_by_name(_called_as(entry), calls)]
    return [key for key, entry in found.items() if entry.by_shape and _called_by_another(entry, proven, top, calls)]


def _called_by_another(entry: Entry, proven: list[FunctionNode], top: list[FunctionNode],
                       calls: dict[str, list[ast.Call]]) -> bool:
    for call in calls.get(_called_as(entry), []):
        by_name = isinstance(call.func, ast.Name)
        on_a_name = isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name)
        callers = (proven if by_name or on_a_name else []) + (top if by_name else [])
        if any(caller is not entry.function and _contains(caller, call) for caller in callers):
            return True
    return False


def _called_as(entry: Entry) -> str:
    """The name callers use: a constructor is called by its class's name."""
    return entry.owner.name if entry.owner is not None and entry.function.name == "__init__" else entry.function.name


# Attributes only a Lambda context object has: a parameter read this way is the invocation's context.
_CONTEXT_ATTRIBUTES = frozenset({
    "get_remaining_time_in_millis", "aws_request_id", "invoked_function_arn", "log_stream_name", "log_group_name",
    "memory_limit_in_mb",
})


def _per_invocation(tree: ast.Module, functions: list[tuple[FunctionNode, str, ast.ClassDef | None]],
                    found: dict[int, Entry], index: TreeIndex, memo: NodeMemo) -> Iterator[Entry]:
    """Code that runs once per invocation without being a platform's entry point (issue 9, family 1).

    Functions that use a parameter (or ``self.<attribute>``) as a Lambda context; the inner
    functions a decorator returns when it is applied to a handler; the methods of a class built
    from an invocation's ``(event, context)``. The analysis cannot see who calls them, so
    they are analysed as entries of their own, not proven ones (a lower default severity).
    Functions that this module calls by name are left to their callers' analysis.
    """
    calls = index.calls
    wrapped_by = _decorators_of_entries(tree, found, memo)
    invocation_wrappers = _invocation_wrappers(functions, _holding_definitions(index), memo)
    per_invocation_classes = _classes_built_per_invocation(functions, found, calls, memo)
    for function, name, owner in functions:
        called_as = owner.name if owner is not None and function.name == "__init__" else function.name
        if id(function) in found or _called_by_name(called_as, calls) or _protocol_method(function, owner):
            continue
        evidence = memo.of(_context_evidence, function, index.attributes) or _invocation_arguments(memo.of(_positional, function, owner))
        if evidence is not None and _half_of_a_pair(function, owner, functions, memo):
            continue
        platform = "aws-lambda"
        if evidence is None and owner is None and "." not in name:
            evidence = memo.of(_cloud_function_request, function)
            platform = "gcp-functions"
        if evidence is None and id(function) in wrapped_by:
            evidence = f"returned by @{wrapped_by[id(function)]}, which wraps a handler"
        if evidence is None and id(function) in invocation_wrappers:
            evidence = invocation_wrappers[id(function)]
        if evidence is None and owner is not None and owner.name in per_invocation_classes \
                and not function.name.startswith("__"):
            evidence = f"method of {owner.name}, {per_invocation_classes[owner.name]}"
        if evidence is not None:
            yield Entry(function, name, platform, f"per-invocation code, not a proven handler: {evidence}",
                        owner, proven=False)


def _half_of_a_pair(function: FunctionNode, owner: ast.ClassDef | None,
                    functions: list[tuple[FunctionNode, str, ast.ClassDef | None]], memo: NodeMemo) -> bool:
    """``arm(context)`` beside ``disarm()`` (functions of the module, or methods of one class): an API whose
    callers settle what it starts, and whose handlers' analysis follows the calls; not per-invocation code
    to report on its own."""
    if memo.of(_settles_work, function):
        return False
    siblings = [other for other, name, other_owner in functions
                if other is not function and other_owner is owner and (owner is not None or "." not in name)]
    return any(memo.of(_settles_work, sibling) and not memo.of(_starts_work, sibling) for sibling in siblings)


def _calls(function: FunctionNode) -> Iterator[tuple[ast.Call, str, bool]]:
    """Each call with the last name it calls and whether it passes a literal 0 (``signal.alarm(0)``)."""
    for node in ast.walk(function):
        if isinstance(node, ast.Call):
            called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            yield node, called, any(isinstance(arg, ast.Constant) and arg.value == 0 for arg in node.args)


def _settles_work(function: FunctionNode) -> bool:
    """Calls a settling method (``t.cancel()``, ``t.join()``) or disarms a timer (``signal.alarm(0)``)."""
    known = catalogue()
    methods = known.settle_methods | known.receiver_settles
    cancels = {name.rsplit(".", 1)[-1] for name in known.cancels}
    arms = {name.rsplit(".", 1)[-1] for name in known.alarms}
    return any((isinstance(node.func, ast.Attribute) and called in methods) or called in cancels or (called in arms and zeroed)
               for node, called, zeroed in _calls(function))


def _starts_work(function: FunctionNode) -> bool:
    """Starts a thread, submits a job, creates a process or arms a timer (with a non-zero time)."""
    known = catalogue()
    methods = {method for _, method in (*known.started_by, *known.submitted_to)}
    created = {name.rsplit(".", 1)[-1] for name in known.created_by}
    arms = {name.rsplit(".", 1)[-1] for name in known.alarms}
    return any((isinstance(node.func, ast.Attribute) and called in methods) or called in created or (called in arms and not zeroed)
               for node, called, zeroed in _calls(function))


def _invocation_arguments(args: list[str]) -> str | None:
    """``def send(event, context, status, data)``: a helper handlers pass their invocation to (custom resources);
    ``def on_error(exc, event, context)``: what a runtime calls with it (Zappa's ``exception_handler``)."""
    if len(args) < 3:
        return None
    for where, (event, context) in (("first", args[:2]), ("last", args[-2:])):
        if _EVENT.fullmatch(event) and _CONTEXT.fullmatch(context) and context not in {"c", "_"}:
            return f"takes the invocation's ({event}, {context}) {where}"
    return None


# Reads only a Flask/Werkzeug request has: Cloud Functions hands one to an HTTP function (Django's has none of them).
_FLASK_REQUEST_READS = frozenset({"get_json", "args", "get_data", "form", "files", "json", "values"})


def _cloud_function_request(function: FunctionNode) -> str | None:
    """``def hello_http(request): request.get_json()``: a Cloud Functions HTTP function deployed without a decorator
    (the entry point is named on the command line). Flask views take no ``request`` parameter, and Starlette's
    endpoints, which do, are coroutines."""
    args = function.args.posonlyargs + function.args.args
    params = [arg.arg for arg in args]
    if isinstance(function, ast.AsyncFunctionDef) or len(params) != 1 or params[0] not in {"request", "req"}:
        return None
    if args[0].annotation is not None and ast.unparse(args[0].annotation) not in {"Request", "flask.Request"}:
        return None  # ``req: func.HttpRequest``: Azure's, registered (or not) by its own rules
    for node in ast.walk(function):
        if isinstance(node, ast.Attribute) and node.attr in _FLASK_REQUEST_READS \
                and isinstance(node.value, ast.Name) and node.value.id == params[0]:
            return f"takes a Flask request `{params[0]}` alone and reads `.{node.attr}`, as a Cloud Functions HTTP function"
    return None


def _context_evidence(function: FunctionNode, attributes: dict[str, list[ast.Attribute]]) -> str | None:
    """``context.get_remaining_time_in_millis()`` on a parameter, or on ``self.<attribute>`` in a method."""
    if not _may_read(function, _CONTEXT_ATTRIBUTES, attributes):
        return None  # most functions read none: no walk
    params = {arg.arg for arg in function.args.posonlyargs + function.args.args + function.args.kwonlyargs}
    for node in ast.walk(function):
        if isinstance(node, ast.Attribute) and node.attr in _CONTEXT_ATTRIBUTES:
            holder = node.value
            if isinstance(holder, ast.Name) and holder.id in params - {"self", "cls"}:
                return f"uses `{holder.id}` as a Lambda context (`.{node.attr}`)"
            if isinstance(holder, ast.Attribute) and isinstance(holder.value, ast.Name) and holder.value.id == "self":
                return f"uses `self.{holder.attr}` as a Lambda context (`.{node.attr}`)"
    return None


def _may_read(function: FunctionNode, names: frozenset[str], attributes: dict[str, list[ast.Attribute]]) -> bool:
    """Whether one of the module's reads of these attributes lies within the function's lines (a walk tells
    which, and whether it is the function's)."""
    return any(within_lines(function, node) for name in names for node in attributes.get(name, ()))


def _decorators_of_entries(tree: ast.Module, found: dict[int, Entry], memo: NodeMemo) -> dict[int, str]:
    """The functions this module's decorators put in place of a handler they are applied to.

    A decorator function's innermost returned function (``wrapper`` in ``def deco(f): ...
    return wrapper``, also through a factory), or a decorator class's ``__call__``.
    """
    definitions = {node.name: node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    returned: dict[int, str] = {}
    for entry in found.values():
        for decorator in entry.function.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            definition = definitions.get(target.id) if isinstance(target, ast.Name) else None
            if isinstance(definition, ast.ClassDef):
                calls = [node for node in definition.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                         and node.name == "__call__"]
                returned.update(dict.fromkeys(map(id, calls), definition.name))
            elif definition is not None:
                returned.update(dict.fromkeys(map(id, memo.of(_innermost_returned, definition)), definition.name))
    return returned


def _invocation_wrappers(functions: list[tuple[FunctionNode, str, ast.ClassDef | None]], holding: set[int],
                         memo: NodeMemo) -> dict[int, str]:
    """``def wrap(func): def inner(handler, event, *args): ... return func(handler, event, *args)``: a wrapper
    put in place of a platform's function (an SDK patching the invoker), taking the invocation's event.
    ``holding``: the ids of the functions that define others (only they can return one)."""
    found: dict[int, str] = {}
    for outer, name, _ in functions:
        if id(outer) not in holding:
            continue
        for inner, named in memo.of(_wrappers_returned, outer):
            found[id(inner)] = f"returned by {name}(), which wraps the function it is given; takes `{named}`"
    return found


def _holding_definitions(index: TreeIndex) -> set[int]:
    """The ids of the functions with a function or class defined in them, at any depth."""
    return {id(ancestor) for definition in index.definitions for ancestor in index.ancestors(definition)
            if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef))}


def _wrappers_returned(outer: FunctionNode) -> list[tuple[FunctionNode, str]]:
    """The innermost functions ``outer`` returns that call a function it is given, with their first
    parameter naming the event or the context."""
    wrapped = {arg.arg for arg in outer.args.args}
    found = []
    for inner in _innermost_returned(outer):
        params = [arg.arg for arg in inner.args.posonlyargs + inner.args.args]
        named = [param for param in params if "event" in param.lower() or "context" in param.lower()]
        calls_wrapped = any(isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in wrapped
                            for node in ast.walk(inner))
        if named and calls_wrapped:
            found.append((inner, named[0]))
    return found


def _innermost_returned(function: FunctionNode) -> list[FunctionNode]:
    inner = {node.name: node for node in all_statements(function)
             if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node is not function}
    if not inner:
        return []  # most functions define none: no second walk
    return [candidate for candidate in _returned_by(function, inner) if not _returned_by(candidate, inner)]


def _returned_by(function: FunctionNode, inner: dict[str, FunctionNode]) -> list[FunctionNode]:
    """The inner functions ``function`` returns (at any depth: a factory's decorator returns the wrapper)."""
    return [inner[node.value.id] for node in all_statements(function) if isinstance(node, ast.Return)
            and isinstance(node.value, ast.Name) and node.value.id in inner and inner[node.value.id] is not function]


def _classes_built_per_invocation(functions: list[tuple[FunctionNode, str, ast.ClassDef | None]],
                                  found: dict[int, Entry], calls: dict[str, list[ast.Call]], memo: NodeMemo) -> dict[str, str]:
    """Classes constructed from an entry's ``(event, context)``, or whose ``__init__`` takes them."""
    classes = {owner.name for _, _, owner in functions if owner is not None}
    built: dict[str, str] = {}
    for function, _, owner in functions:
        if owner is not None and function.name == "__init__" and _lambda_shaped(function, owner):
            built[owner.name] = "whose constructor takes (event, context)"
    arguments = {entry.name: set(memo.of(_positional, entry.function, entry.owner)[:2]) for entry in found.values()}
    for name in classes - set(built):
        for call in calls.get(name, []):
            passed = {arg.id for arg in call.args if isinstance(arg, ast.Name)}
            entry = next((e for e in found.values() if len(arguments[e.name]) == 2 and arguments[e.name] <= passed
                          and _contains(e.function, call)), None)
            if isinstance(call.func, ast.Name) and entry is not None:
                built[name] = f"built from the invocation's arguments in {entry.name}"
    return built


def _contains(function: FunctionNode, node: ast.AST) -> bool:
    end = getattr(function, "end_lineno", None) or function.lineno
    return function.lineno <= getattr(node, "lineno", 0) <= end


def _protocol_method(function: FunctionNode, owner: ast.ClassDef | None) -> bool:
    """``__enter__``, ``__exit__``...: called by the statements that use the object, analysed there."""
    return owner is not None and function.name.startswith("__") and function.name not in {"__init__", "__call__"}


def _called_by_name(name: str, calls: dict[str, list[ast.Call]]) -> bool:
    """``helper(...)`` or ``obj.helper(...)``: a caller in this module whose analysis follows the call."""
    return any(isinstance(call.func, ast.Name) or (isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name))
               for call in calls.get(name, []))


def _functions(tree: ast.Module, memo: NodeMemo) -> list[tuple[FunctionNode, str, ast.ClassDef | None]]:
    """Every function with its dotted name; nested functions too (wrappers' inner functions): the module's
    functions first, then those inside each top-level statement, the last statement first."""
    functions: list[tuple[FunctionNode, str, ast.ClassDef | None]] = [
        (statement, statement.name, None) for statement in tree.body
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef))]
    for statement in reversed(tree.body):
        functions.extend(memo.of(_functions_inside, statement))
    return functions


def _functions_inside(statement: ast.stmt) -> list[tuple[FunctionNode, str, ast.ClassDef | None]]:
    """The functions a top-level statement holds (not itself), depth first, the last child first."""
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
        start: tuple[ast.AST, str, ast.ClassDef | None] = (statement, f"{statement.name}.", None)
    elif isinstance(statement, ast.ClassDef):
        start = (statement, f"{statement.name}.", statement)
    else:
        start = (statement, "", None)
    return list(_walk_functions(start))


def _walk_functions(start: tuple[ast.AST, str, ast.ClassDef | None]) -> Iterator[tuple[FunctionNode, str, ast.ClassDef | None]]:
    stack = [start]
    while stack:
        node, prefix, owner = stack.pop()
        for child in _statements_in(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                name = f"{prefix}{child.name}"
                yield child, name, owner
                stack.append((child, f"{name}.", None))
            elif isinstance(child, ast.ClassDef):
                stack.append((child, f"{prefix}{child.name}.", child))
            elif isinstance(child, ast.stmt):
                stack.append((child, prefix, owner))


def _statements_in(statement: ast.AST) -> list[ast.stmt]:
    """A statement's statements, in the order of ``ast.iter_child_nodes`` (only these three fields hold them)."""
    return [child for name in ("body", "orelse", "finalbody") for child in getattr(statement, name, ())]


def _positional(function: FunctionNode, owner: ast.ClassDef | None) -> list[str]:
    args = [arg.arg for arg in function.args.posonlyargs + function.args.args]
    if owner is not None and args and not _is_static(function):
        args = args[1:]
    return args


def _is_static(function: FunctionNode) -> bool:
    return any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in function.decorator_list)


def has_module_level_handler(tree: ast.Module) -> bool:
    """A module-level function taking ``(event, context)``: the module is a Lambda handler's."""
    return any(isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and _lambda_shaped(node, None)
               for node in tree.body)


def _lambda_shaped(function: FunctionNode, owner: ast.ClassDef | None) -> bool:
    return _shaped(_positional(function, owner))


def _shaped(args: list[str]) -> bool:
    """``(event, context)`` positional parameters."""
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
    positional: list[str],
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
            return Entry(function, name, named.platform, named.reason, owner, proven=named.proven)
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
    shaped = _shape_entry(function, name, owner, positional)
    if shaped is not None:
        return shaped
    if owner is None and "." not in name and function.name == "lambda_handler":
        return entry("aws-lambda", "named lambda_handler, Lambda's default handler name")
    if owner is None and "." not in name and not apps and _azure_annotated(function, scope):
        return entry("azure-functions", "takes an azure.functions binding")
    if azure_v1 and name == "main":
        return entry("azure-functions", "`main` next to function.json")
    return None


def _shape_entry(function: FunctionNode, name: str, owner: ast.ClassDef | None, positional: list[str]) -> Entry | None:
    """An entry taken for its parameters alone: Lambda's ``(event, context)``, or the ``(data, context)`` of a
    Cloud Functions background function (1st gen, deployed by name, no decorator to go by)."""
    args = ", ".join(positional)
    if _shaped(positional):
        where = f"method of {owner.name}" if owner is not None else "function"
        if owner is not None and function.name == "__call__":
            return Entry(function, name, "aws-lambda", f"{owner.name} instances are callable taking ({args})", owner)
        return Entry(function, name, "aws-lambda", f"{where} taking ({args})", owner, by_shape=True)
    if owner is None and "." not in name and tuple(positional) == _BACKGROUND_FUNCTION:
        return Entry(function, name, "gcp-functions", f"function taking ({args}), a Cloud Functions background function",
                     owner, by_shape=True)
    return None


def _azure_annotated(function: FunctionNode, scope: Scope) -> bool:
    for arg in function.args.args:
        if arg.annotation is not None and (scope.qualify(arg.annotation) or "").startswith("azure.functions."):
            return True
    return False
