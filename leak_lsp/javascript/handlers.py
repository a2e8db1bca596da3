"""Which functions of a JavaScript/TypeScript module are entry points, and of which shape.

The shape decides what ends the invocation (NODE.md §1.1-1.4): the returned promise
(async Lambda handlers, event functions, Azure), the callback or ``context.done``
(callback Lambda handlers), or the HTTP response (Cloud Functions HTTP).
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from enum import Enum

from leak_lsp.javascript import catalogue
from leak_lsp.javascript.module import ModuleFacts, is_async
from leak_lsp.javascript.syntax import FUNCTION_TYPES, Node, ParsedSource, dotted, field, string_value, unwrap, walk


class Shape(str, Enum):
    PROMISE = "promise"  # the returned promise ends the invocation
    CALLBACK = "callback"  # Lambda ``(event, context, callback)``
    HTTP = "http"  # Cloud Functions HTTP ``(req, res)``: the response ends it
    AZURE = "azure"  # the returned promise; no freeze, leftover work runs untracked


@dataclass(frozen=True)
class JsHandler:
    name: str
    function: Node
    shape: Shape
    platform: str  # "aws-lambda", "gcp-functions", "azure-functions", "configured"
    reason: str
    flushes_telemetry: bool = False  # wrapped by Sentry.wrapHandler, datadog(), ...
    streaming: bool = False  # awslambda.streamifyResponse
    wrapped: bool = False  # the runtime calls a wrapper (``middy(fn)``), whose parameters are not ``function``'s
    references: catalogue.Requests | None = None  # requests of the references its event holds (Firestore triggers)


_GCF_MODULE = "@google-cloud/functions-framework"
_AZURE_MODULE = "@azure/functions"
_NETLIFY_MODULE = "@netlify/functions"
_FIREBASE_HTTP = ("onRequest",)
_EVENT_PARAMETERS = frozenset({"event", "evt", "_event", "message", "data", "cloudEvent", "payload"})
_LAMBDA_EVENT = frozenset({"event", "evt", "_event"})  # alone, only an async function's
_LAMBDA_TYPES = "aws-lambda"  # the ``@types/aws-lambda`` declarations


def _is_trigger(wrapper: str) -> bool:
    """``functions.pubsub.topic(t).onPublish``, ``onDocumentCreated``, ``onSchedule``: an event function."""
    last = wrapper.rsplit(".", 1)[-1]
    return len(last) > 2 and last.startswith("on") and last[2].isupper() and not last.endswith(_FIREBASE_HTTP)


def declared_parameters(function: Node) -> list[Node]:
    """The parameters JavaScript's ``function.length`` counts: those before the first one with a
    default value or a rest parameter (TypeScript's ``this`` parameter is not a parameter)."""
    parameters = field(function, "parameters")
    if parameters is None:
        single = field(function, "parameter")
        return [single] if single is not None else []
    counted = []
    for parameter in parameters.named_children:
        pattern = field(parameter, "pattern") if parameter.type in ("required_parameter", "optional_parameter") else parameter
        if parameter.type == "comment" or (pattern is not None and pattern.type == "this"):
            continue
        if parameter.type in ("assignment_pattern", "rest_pattern") or field(parameter, "value") is not None \
                or (pattern is not None and pattern.type == "rest_pattern"):
            break
        counted.append(parameter)
    return counted


def parameter_names(parsed_text: ParsedSource, function: Node) -> list[str]:
    parameters = field(function, "parameters")
    if parameters is None:
        single = field(function, "parameter")
        return [parsed_text.text(single)] if single is not None else []
    names = []
    for parameter in parameters.named_children:
        pattern = field(parameter, "pattern") if parameter.type in ("required_parameter", "optional_parameter") else parameter
        pattern = field(pattern, "left") if pattern is not None and pattern.type == "assignment_pattern" else pattern
        names.append(parsed_text.text(pattern) if pattern is not None and pattern.type == "identifier" else "")
    return names


def discover(facts: ModuleFacts, configured: list[str], deployed: tuple[str, ...] = ()) -> list[JsHandler]:
    """Entry points: exports that look like handlers, registrations (``functions.http``,
    ``app.http``), names in ``[tool.leak-lsp] handlers`` and names in deployment files."""
    found: dict[int, JsHandler] = {}
    for name, value in facts.exports.items():
        handler = _exported(facts, name, value, configured, deployed)
        if handler is not None:
            found.setdefault(handler.function.id, handler)
    served = _served_apps(facts)
    for statement in facts.parsed.root.named_children:
        for handler in [*_registered(facts, statement), *_routes(facts, statement, served)]:
            found.setdefault(handler.function.id, handler)
    for pattern in configured:
        for name, function in facts.functions.items():
            if fnmatch.fnmatchcase(name, pattern) and function.id not in found:
                found[function.id] = _classified(facts, name, function, "configured", "named in [tool.leak-lsp] handlers")
    return sorted(found.values(), key=lambda handler: handler.function.start_byte)


def _exported(facts: ModuleFacts, name: str, value: Node, configured: list[str], deployed: tuple[str, ...]) -> JsHandler | None:
    wrappers: list[str] = []
    function = _unwrapped_function(facts, value, wrappers)
    if function is None:
        return None
    params = parameter_names(facts.parsed, function)
    shown = "module.exports" if name == "module.exports" else name
    if any(wrapper.endswith(_FIREBASE_HTTP) for wrapper in wrappers):
        return _with(_handler(name, function, Shape.HTTP, "gcp-functions", f"`{shown}` is a Firebase HTTP function"), wrappers)
    trigger = next((w for w in wrappers if _is_trigger(w)), None)
    if trigger is not None:
        return _with(_handler(name, function, Shape.PROMISE, "gcp-functions", f"`{shown}` is a Firebase/Cloud Functions trigger"), wrappers)
    if name in deployed:
        return _with(_classified(facts, name, function, "aws-lambda", f"`{shown}` is named in a deployment file"), wrappers)
    if any(fnmatch.fnmatchcase(name, pattern) for pattern in configured):
        return _with(_classified(facts, name, function, "configured", "named in [tool.leak-lsp] handlers"), wrappers)
    if name == "default" and facts.imports_any((_NETLIFY_MODULE,)):  # Netlify Functions 2.0: ``(req, context)``
        return _with(_handler(name, function, Shape.PROMISE, "aws-lambda", "the default export of a Netlify function"), wrappers)
    if _typed_as_lambda(facts, value, function):
        return _with(_classified(facts, name, function, "aws-lambda", f"`{shown}` is typed with `aws-lambda` types"), wrappers)
    if name in ("module.exports", "default") and params[:1] in (["context"], ["ctx"]):
        return _with(_handler(name, function, Shape.AZURE, "azure-functions", f"`{shown}` takes an Azure Functions context"), wrappers)
    if len(params) >= 2 and params[0] in ("req", "request") and params[1] in ("res", "response"):
        return _with(_handler(name, function, Shape.HTTP, "gcp-functions", f"exported `{shown}` takes (req, res)"), wrappers)
    if "handler" in name.lower() or (params[:1] and params[0] in _EVENT_PARAMETERS and len(params) >= 2) \
            or (params[:1] and params[0] in _LAMBDA_EVENT and is_async(function)):  # ``module.exports.hello = async (event) =>``
        return _with(_classified(facts, name, function, "aws-lambda", f"exported `{shown}`"), wrappers)
    return None


def _typed_as_lambda(facts: ModuleFacts, value: Node, function: Node) -> bool:
    """The export is annotated with a type of ``aws-lambda`` (``const hello: APIGatewayProxyHandler = ...``),
    or one of its parameters is (``event: SQSEvent``, ``context: Context``)."""
    unwrapped = unwrap(value)
    declarator = unwrapped.parent if unwrapped is not None else None
    annotations = [field(declarator, "type")] if declarator is not None and declarator.type == "variable_declarator" else []
    parameters = field(function, "parameters")
    annotations += [field(parameter, "type") for parameter in (parameters.named_children if parameters is not None else [])]
    for annotation in annotations:
        named = next((part for part in annotation.named_children), None) if annotation is not None else None
        head = facts.parsed.text(named).split("<", 1)[0].split(".", 1)[0].strip() if named is not None else ""
        imported = facts.imports.get(head)
        if imported is not None and imported.specifier == _LAMBDA_TYPES:
            return True
    return False


def _with(handler: JsHandler, wrappers: list[str]) -> JsHandler:
    flushes = any(wrapper.rsplit(".", 1)[-1] in catalogue.FLUSHING_WRAPPERS for wrapper in wrappers)
    streaming = any(wrapper in catalogue.STREAMING_WRAPPERS for wrapper in wrappers)
    reason = handler.reason + (f" (wrapped by {', '.join(f'`{w}`' for w in wrappers)})" if wrappers else "")
    return JsHandler(handler.name, handler.function, handler.shape, handler.platform, reason, flushes, streaming,
                     bool(wrappers), _trigger_references(wrappers))


def _trigger_references(wrappers: list[str]) -> catalogue.Requests | None:
    """``onDocumentCreated`` (``firebase-functions/v2/firestore``), ``functions.database.ref(p).onWrite``."""
    segments = (segment for wrapper in wrappers if _is_trigger(wrapper) for segment in re.split(r"[./]", wrapper))
    return next((catalogue.TRIGGER_REFERENCES[s] for s in segments if s in catalogue.TRIGGER_REFERENCES), None)


def _handler(name: str, function: Node, shape: Shape, platform: str, reason: str) -> JsHandler:
    return JsHandler(name, function, shape, platform, reason)


def _classified(facts: ModuleFacts, name: str, function: Node, platform: str, reason: str) -> JsHandler:
    params = parameter_names(facts.parsed, function)
    if len(params) >= 2 and params[0] in ("req", "request") and params[1] in ("res", "response"):
        return _handler(name, function, Shape.HTTP, platform, reason)
    callback = len(params) >= 3 and not is_async(function)
    return _handler(name, function, Shape.CALLBACK if callback else Shape.PROMISE, platform, reason)


def _unwrapped_function(facts: ModuleFacts, value: Node | None, wrappers: list[str]) -> Node | None:
    """The function under wrappers: ``middy(fn)``, ``Sentry.wrapHandler(async () => ...)``,
    ``new Handler().handle``, ``handler.handle.bind(handler)``."""
    for _ in range(8):
        value = unwrap(value)
        if value is None:
            return None
        if value.type in FUNCTION_TYPES:
            return value
        if value.type in ("identifier", "shorthand_property_identifier"):
            return facts.functions.get(facts.parsed.text(value))
        if value.type == "member_expression":
            return method_of(facts, value)
        if value.type != "call_expression":
            return None
        callee = field(value, "function")
        method = facts.parsed.text(field(callee, "property")) if callee is not None and callee.type == "member_expression" else ""
        if method == "bind" or method in catalogue.WRAPPER_CHAIN_METHODS:  # ``fn.bind(x)``, ``middy(fn).use(mw)``
            value = field(callee, "object")
            continue
        wrappers.append(facts.qualify(callee) or facts.parsed.text(callee))
        arguments = field(value, "arguments")
        value = next((arg for arg in (arguments.named_children if arguments else []) if _function_like(facts, arg)), None)
    return None


def _function_like(facts: ModuleFacts, node: Node) -> bool:
    node = unwrap(node) or node
    return node.type in FUNCTION_TYPES or node.type == "call_expression" or (
        node.type == "identifier" and facts.parsed.text(node) in facts.functions
    )


def method_of(facts: ModuleFacts, member: Node) -> Node | None:
    """``new Handler().handle`` or ``instance.handle`` for a class of the module."""
    owner, prop = unwrap(field(member, "object")), field(member, "property")
    if owner is None or prop is None:
        return None
    class_name = None
    if owner.type == "new_expression":
        class_name = facts.parsed.text(field(owner, "constructor"))
    classes = [facts.classes[class_name]] if class_name in facts.classes else list(facts.classes.values())
    wanted = facts.parsed.text(prop)
    return next((found for klass in classes if (found := class_member(facts.parsed, klass, wanted)) is not None), None)


def class_member(parsed: ParsedSource, klass: Node, wanted: str) -> Node | None:
    """The method (or function-valued field) ``wanted`` of a class."""
    body = field(klass, "body")
    for member_node in body.named_children if body is not None else []:
        if member_node.type == "method_definition" and parsed.text(field(member_node, "name")) == wanted:
            return member_node
        if member_node.type in ("field_definition", "public_field_definition"):  # ``handle = async () => {}``
            name = field(member_node, "property") or field(member_node, "name")
            value = unwrap(field(member_node, "value"))
            if parsed.text(name) == wanted and value is not None and value.type in FUNCTION_TYPES:
                return value
    return None


def _registered(facts: ModuleFacts, statement: Node) -> list[JsHandler]:
    """``functions.http('name', fn)``, ``app.http('name', { handler })`` at module level."""
    expression = statement.named_children[0] if statement.type == "expression_statement" and statement.named_children else None
    if expression is None or expression.type != "call_expression":
        return []
    qualified = facts.qualify(field(expression, "function")) or ""
    arguments = field(expression, "arguments")
    args = arguments.named_children if arguments is not None else []
    label = string_value(facts.parsed, args[0]) if args else None
    if qualified.startswith(_GCF_MODULE + ".") and len(args) >= 2:
        function = _unwrapped_function(facts, args[1], [])
        if function is None:
            return []
        http = qualified.endswith(".http")
        shape = Shape.HTTP if http else Shape.PROMISE
        return [_handler(label or "function", function, shape, "gcp-functions", f"registered with `{dotted(facts.parsed, field(expression, 'function'))}`")]
    if qualified.startswith(_AZURE_MODULE + ".") and len(args) >= 2 and unwrap(args[1]) is not None:
        options = unwrap(args[1])
        assert options is not None
        value = _property(facts, options, "handler") if options.type == "object" else options
        function = _unwrapped_function(facts, value, [])
        if function is None:
            return []
        return [_handler(label or "function", function, Shape.AZURE, "azure-functions", f"registered with `{facts.parsed.text(field(expression, 'function'))}`")]
    return []


def _served_apps(facts: ModuleFacts) -> dict[str, str]:
    """Express apps of the module handed to an HTTP function: ``functions.https.onRequest(app)``,
    ``functions.http("name", app)``, ``serverless(app)`` (serverless-http on Lambda); app -> platform."""
    if not facts.imports_any(catalogue.APP_FACTORIES):  # no need to walk the whole tree
        return {}
    apps = {facts.parsed.text(field(node, "name")) for node in walk(facts.parsed.root) if node.type == "variable_declarator"
            and (value := unwrap(field(node, "value"))) is not None and value.type == "call_expression"
            and facts.qualify(field(value, "function")) in catalogue.APP_FACTORIES}
    served: dict[str, str] = {}
    for node in walk(facts.parsed.root):
        if node.type != "call_expression":
            continue
        callee = field(node, "function")
        qualified = facts.qualify(callee) or facts.parsed.text(callee)  # ``functions.region(r).https.onRequest``
        platform = "aws-lambda" if qualified in catalogue.APP_ADAPTERS else "gcp-functions"
        if qualified.endswith(_FIREBASE_HTTP) or qualified == f"{_GCF_MODULE}.http" or qualified in catalogue.APP_ADAPTERS:
            arguments = field(node, "arguments")
            for app in {facts.parsed.text(arg) for arg in (arguments.named_children if arguments else [])} & apps:
                served[app] = platform
    return served


def _routes(facts: ModuleFacts, statement: Node, served: dict[str, str]) -> list[JsHandler]:
    """``app.post("/path", (req, res) => { ... })`` at module level, for a served app: the route is the handler."""
    expression = statement.named_children[0] if statement.type == "expression_statement" and statement.named_children else None
    callee = field(expression, "function") if expression is not None and expression.type == "call_expression" else None
    if callee is None or callee.type != "member_expression":
        return []
    app, method = facts.parsed.text(field(callee, "object")), facts.parsed.text(field(callee, "property"))
    arguments = field(expression, "arguments")
    function = unwrap(arguments.named_children[-1]) if arguments is not None and arguments.named_children else None
    if app not in served or method not in catalogue.ROUTE_METHODS or function is None or function.type not in FUNCTION_TYPES:
        return []
    route = string_value(facts.parsed, arguments.named_children[0]) if arguments is not None else None
    name = f"{app}.{method}({route!r})" if route else f"{app}.{method}"
    return [_handler(name, function, Shape.HTTP, served[app], f"a route of `{app}`, served as an HTTP function")]


def _property(facts: ModuleFacts, obj: Node, name: str) -> Node | None:
    for pair in obj.named_children:
        if pair.type == "pair" and facts.parsed.text(field(pair, "key")) == name:
            return field(pair, "value")
        if pair.type == "shorthand_property_identifier" and facts.parsed.text(pair) == name:
            return pair
        if pair.type == "method_definition" and facts.parsed.text(field(pair, "name")) == name:
            return pair
    return None
