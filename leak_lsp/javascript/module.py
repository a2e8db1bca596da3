"""Facts about one JavaScript/TypeScript module that every function's lowering needs:
imports, top-level functions and classes, module-level clients and telemetry buffers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from leak_lsp.javascript import catalogue
from leak_lsp.javascript.syntax import FUNCTION_TYPES, Node, ParsedSource, dotted, string_value, unwrap, walk
from leak_lsp.javascript.syntax import field as child


@dataclass(frozen=True)
class Imported:
    specifier: str  # "child_process", "./lib/helpers"
    export: str  # "*" for the module itself (namespace, default of CommonJS, require())


@dataclass
class ModuleFacts:
    parsed: ParsedSource
    imports: dict[str, Imported] = field(default_factory=dict)
    functions: dict[str, Node] = field(default_factory=dict)  # top-level name -> function node
    classes: dict[str, Node] = field(default_factory=dict)
    clients: set[str] = field(default_factory=set)  # ``new S3Client()`` at module level
    buffers: dict[str, catalogue.Buffer] = field(default_factory=dict)  # owner name -> its buffer
    promise_functions: set[str] = field(default_factory=set)  # ``const run = promisify(exec)``
    data_clients: dict[str, catalogue.Requests] = field(default_factory=dict)  # ``const db = admin.firestore()``
    imports_data_clients: bool = False  # a module of catalogue.DATA_CLIENTS is imported
    exports: dict[str, Node] = field(default_factory=dict)  # exported name -> the exported value
    buffer_roots: dict[str, str] = field(default_factory=dict)  # ``tracer`` -> ``provider`` for ``provider.getTracer()``
    instances: dict[str, str] = field(default_factory=dict)  # ``const queue = new UploadQueue()`` -> its class name
    required_modules: set[str] = field(default_factory=set)  # every ``require('m')``, bound or not (``require('twilio')(sid)``)

    def imports_any(self, qualified_names: Iterable[str]) -> bool:
        """Whether the module imports the module of any of these names (``new express.Router`` -> ``express``)."""
        modules = {name.removeprefix("new ").split(".")[0] for name in qualified_names}
        return any(imported.specifier in modules for imported in self.imports.values()) or bool(modules & self.required_modules)

    def qualify(self, node: Node | None) -> str | None:
        """The qualified name of a callee: ``child_process.spawn`` for ``cp.spawn`` after ``require('child_process')``."""
        name = dotted(self.parsed, node)
        if name is None:  # ``require('twilio')(sid, token)``: the module itself is called
            imported = required(self, node)
            return None if imported is None else \
                imported.specifier if imported.export == "*" else f"{imported.specifier}.{imported.export}"
        head, _, rest = name.partition(".")
        imported = self.imports.get(head)
        if imported is None:
            return name
        base = imported.specifier if imported.export == "*" else f"{imported.specifier}.{imported.export}"
        return f"{base}.{rest}" if rest else base


def is_async(function: Node) -> bool:
    return any(part.type == "async" for part in function.children) or compiled_body(function) is not None


def compiled_body(function: Node) -> Node | None:
    """The generator TypeScript's ``__awaiter`` helper drives, when ``function`` is compiled async code:
    ``(e) => __awaiter(this, void 0, void 0, function* () { ... })`` (``yield`` is ``await`` there)."""
    body = unwrap(child(function, "body"))
    if body is not None and body.type == "statement_block" and len(body.named_children) == 1:
        statement = body.named_children[0]
        body = unwrap(statement.named_children[0]) if statement.type == "return_statement" and statement.named_children else None
    if body is None or body.type != "call_expression" or not _is_awaiter(body):
        return None
    arguments = child(body, "arguments")
    last = unwrap(arguments.named_children[-1]) if arguments is not None and arguments.named_children else None
    return last if last is not None and last.type in ("generator_function", "generator_function_declaration") else None


def _is_awaiter(call: Node) -> bool:
    callee = child(call, "function")
    return callee is not None and callee.text is not None and callee.text.endswith(b"__awaiter")


def module_facts(parsed: ParsedSource) -> ModuleFacts:
    facts = ModuleFacts(parsed)
    for statement in parsed.root.named_children:
        _read_statement(facts, statement)
    _read_local_bindings(facts)
    _read_data_clients(facts)
    for name, value in list(facts.exports.items()):
        resolved = resolve_function(facts, value)
        if resolved is not None and name not in facts.functions:
            facts.functions.setdefault(name, resolved)
    return facts


def data_client_requests(facts: ModuleFacts, chain: Node | None) -> catalogue.Requests | None:
    """The requests of the data client a chain of calls and accesses starts from, if it starts from one:
    a factory call in the chain (``admin.firestore().collection("c")``) or a name bound to a client."""
    node = unwrap(chain) if facts.imports_data_clients else None
    accessor: catalogue.Requests | None = None  # the outermost ``.batch()`` in the chain
    while node is not None:
        if node.type in ("call_expression", "new_expression"):
            callee = child(node, "constructor") if node.type == "new_expression" else child(node, "function")
            found = _factory_requests(facts, node)
            if found is not None:
                return accessor or found
            if accessor is None and callee is not None and callee.type == "member_expression":
                accessor = catalogue.CLIENT_ACCESSORS.get(facts.parsed.text(child(callee, "property")))
            node = unwrap(callee) if node.type == "call_expression" else None
        elif node.type in ("member_expression", "subscript_expression"):
            node = unwrap(child(node, "object"))
        elif node.type == "await_expression":  # ``await mysql.createConnection(...)``: the factory's client
            return _factory_requests(facts, unwrap(node.named_children[0]) if node.named_children else None)
        elif node.type == "ternary_expression":  # ``token ? Mixpanel.init(token) : stub``: a client on one path
            return data_client_requests(facts, child(node, "consequence")) or \
                data_client_requests(facts, child(node, "alternative"))
        else:
            found = facts.data_clients.get(facts.parsed.text(node)) if node.type == "identifier" else None
            return accessor or found if found is not None else None
    return None


def _factory_requests(facts: ModuleFacts, node: Node | None) -> catalogue.Requests | None:
    """The requests of the client a catalogued factory call makes (also awaited: ``await mysql.createConnection()``;
    an awaited request, ``await ref.get()``, resolves to data, not to a client)."""
    if node is None or node.type not in ("call_expression", "new_expression"):
        return None
    is_new = node.type == "new_expression"
    qualified = facts.qualify(child(node, "constructor" if is_new else "function")) or ""
    return catalogue.DATA_CLIENTS.get(f"new {qualified}" if is_new else qualified)


def _read_local_bindings(facts: ModuleFacts) -> None:
    """Requires and clients bound inside functions: a lazy ``const cp = require('child_process')`` (to shorten
    cold starts) is that module, and ``const client = new PostHog(key)`` buffers per invocation.
    Module-level bindings of the same names win."""
    top_level = (dict(facts.imports), dict(facts.buffers), set(facts.clients), set(facts.promise_functions))
    for node in walk(facts.parsed.root):
        if node.type == "call_expression" and (imported := required(facts, node)) is not None:
            facts.required_modules.add(imported.specifier)
        if node.type != "variable_declarator" or _is_top_level(facts, node):
            continue
        name, value = child(node, "name"), unwrap(child(node, "value"))
        imported = required(facts, value) or _module_app(facts, value)
        if name is not None and imported is not None:
            _bind_import(facts, name, imported)
        elif name is not None and value is not None and name.type == "identifier":
            _read_object(facts, facts.parsed.text(name), value)
    facts.imports.update(top_level[0])
    facts.buffers.update(top_level[1])
    facts.clients |= top_level[2]
    facts.promise_functions |= top_level[3]


def _is_top_level(facts: ModuleFacts, declarator: Node) -> bool:
    declaration = declarator.parent
    parent = declaration.parent if declaration is not None else None
    if parent is not None and parent.type == "export_statement":
        parent = parent.parent
    return parent is not None and parent == facts.parsed.root


def _read_data_clients(facts: ModuleFacts) -> None:
    """Names bound anywhere in the module to a data client or a reference taken from one
    (``const issues = db.collection("issues")``), until no new name is found."""
    facts.imports_data_clients = facts.imports_any(catalogue.DATA_CLIENTS)
    if not facts.imports_data_clients:  # no need to walk the whole tree
        return
    bindings = [(child(node, "name"), child(node, "value")) for node in walk(facts.parsed.root)
                if node.type in ("variable_declarator", "function_declaration")]
    grown = True
    while grown:
        grown = False
        for name, value in bindings:
            if name is None or name.type != "identifier" or facts.parsed.text(name) in facts.data_clients:
                continue
            requests = data_client_requests(facts, returned_expression(value if value is not None else name.parent))
            if requests is not None:
                facts.data_clients[facts.parsed.text(name)] = requests
                grown = True


def returned_expression(value: Node | None) -> Node | None:
    """What a function returns when its body is one expression or one ``return`` (a factory
    ``const logs = () => db.collection('logs')``); any other value as it is."""
    value = unwrap(value)
    if value is None or value.type not in FUNCTION_TYPES:
        return value
    body = unwrap(child(value, "body"))
    if body is not None and body.type == "statement_block":
        statements = [part for part in body.named_children if part.type != "comment"]
        only = statements[0] if len(statements) == 1 else None
        return only.named_children[0] if only is not None and only.type == "return_statement" and only.named_children else None
    return body


def resolve_function(facts: ModuleFacts, value: Node | None) -> Node | None:
    """The function a value names: inline, or a top-level function by name."""
    value = unwrap(value)
    if value is None:
        return None
    if value.type in FUNCTION_TYPES:
        return value
    if value.type == "identifier":
        return facts.functions.get(facts.parsed.text(value))
    return None


def _read_statement(facts: ModuleFacts, statement: Node) -> None:
    if statement.type == "export_statement":
        _read_export(facts, statement)
        return
    if statement.type == "import_statement":
        _read_import(facts, statement)
    elif statement.type in ("function_declaration", "generator_function_declaration"):
        name = child(statement, "name")
        if name is not None:
            facts.functions[facts.parsed.text(name)] = statement
    elif statement.type in ("class_declaration", "abstract_class_declaration"):
        name = child(statement, "name")
        if name is not None:
            facts.classes[facts.parsed.text(name)] = statement
    elif statement.type in ("lexical_declaration", "variable_declaration"):
        for declarator in statement.named_children:
            if declarator.type == "variable_declarator":
                _read_declarator(facts, declarator)
    elif statement.type == "expression_statement":
        _read_assignment(facts, statement.named_children[0] if statement.named_children else None)


def _read_export(facts: ModuleFacts, statement: Node) -> None:
    declaration = child(statement, "declaration")
    value = child(statement, "value")
    if declaration is not None:
        _read_statement(facts, declaration)
        if declaration.type in ("function_declaration", "generator_function_declaration", "class_declaration"):
            name = child(declaration, "name")
            if name is not None:
                facts.exports[facts.parsed.text(name)] = declaration
        for declarator in declaration.named_children if declaration.type.endswith("declaration") else []:
            name, init = child(declarator, "name"), child(declarator, "value")
            if declarator.type == "variable_declarator" and name is not None and init is not None:
                facts.exports[facts.parsed.text(name)] = init
    elif value is not None:  # export default ...
        facts.exports["default"] = value
    for clause in (c for c in statement.named_children if c.type == "export_clause"):
        for specifier in clause.named_children:
            local, alias = child(specifier, "name"), child(specifier, "alias")
            if local is not None:
                target = facts.functions.get(facts.parsed.text(local))
                if target is not None:
                    facts.exports[facts.parsed.text(alias or local)] = target


def _read_import(facts: ModuleFacts, statement: Node) -> None:
    specifier = _specifier(string_value(facts.parsed, child(statement, "source")))
    if specifier is None:
        return
    for clause in (c for c in statement.named_children if c.type == "import_clause"):
        for part in clause.named_children:
            if part.type == "identifier":
                facts.imports[facts.parsed.text(part)] = Imported(specifier, "*")
            elif part.type == "namespace_import":
                for name in (n for n in part.named_children if n.type == "identifier"):
                    facts.imports[facts.parsed.text(name)] = Imported(specifier, "*")
            elif part.type == "named_imports":
                for item in (n for n in part.named_children if n.type == "import_specifier"):
                    imported, alias = child(item, "name"), child(item, "alias")
                    if imported is not None:
                        local = facts.parsed.text(alias or imported)
                        facts.imports[local] = Imported(specifier, facts.parsed.text(imported))


def _specifier(text: str | None) -> str | None:
    if text is None:
        return None
    return text[5:] if text.startswith("node:") else text


def required(facts: ModuleFacts, value: Node | None) -> Imported | None:
    """``require('m')``, ``require('m').x`` and ``await import('m')`` as an import."""
    value = unwrap(value)
    if value is not None and value.type == "await_expression" and value.named_children:
        value = unwrap(value.named_children[0])
    if value is not None and value.type == "member_expression":
        inner = required(facts, child(value, "object"))
        prop = child(value, "property")
        if inner is not None and inner.export == "*" and prop is not None:
            return Imported(inner.specifier, facts.parsed.text(prop))
        return None
    if value is None or value.type != "call_expression":
        return None
    callee = child(value, "function")
    arguments = child(value, "arguments")
    if callee is None or facts.parsed.text(callee) not in ("require", "import") or arguments is None:
        return None
    first = arguments.named_children[0] if arguments.named_children else None
    specifier = _specifier(string_value(facts.parsed, first))
    return Imported(specifier, "*") if specifier is not None else None


def _module_app(facts: ModuleFacts, value: Node | None) -> Imported | None:
    """``admin.initializeApp()``: an app whose service accessors (``app.firestore()``) are the module's."""
    value = unwrap(value)
    if value is None or value.type != "call_expression":
        return None
    module = catalogue.MODULE_APPS.get(facts.qualify(child(value, "function")) or "")
    return Imported(module, "*") if module is not None else None


def _read_declarator(facts: ModuleFacts, declarator: Node) -> None:
    name, value = child(declarator, "name"), unwrap(child(declarator, "value"))
    if name is None or value is None:
        return
    imported = required(facts, value) or _module_app(facts, value)
    if imported is not None:
        _bind_import(facts, name, imported)
        return
    if name.type != "identifier":
        return
    text = facts.parsed.text(name)
    if value.type in FUNCTION_TYPES:
        facts.functions[text] = value
    elif value.type == "class":
        facts.classes[text] = value
    else:
        _read_object(facts, text, value)
        class_name = constructed_class(facts.parsed, value)
        if class_name is not None:
            facts.instances[text] = class_name


def constructed_class(parsed: ParsedSource, value: Node | None) -> str | None:
    """``new UploadQueue(...)`` -> ``UploadQueue`` (a class named by an identifier)."""
    value = unwrap(value)
    constructor = child(value, "constructor") if value is not None and value.type == "new_expression" else None
    return parsed.text(constructor) if constructor is not None and constructor.type == "identifier" else None


def _bind_import(facts: ModuleFacts, pattern: Node, imported: Imported) -> None:
    if pattern.type == "identifier":
        facts.imports[facts.parsed.text(pattern)] = imported
        return
    if pattern.type != "object_pattern" or imported.export != "*":
        return
    for item in pattern.named_children:
        if item.type == "shorthand_property_identifier_pattern":
            facts.imports[facts.parsed.text(item)] = Imported(imported.specifier, facts.parsed.text(item))
        elif item.type == "pair_pattern":
            key, value = child(item, "key"), child(item, "value")
            if key is not None and value is not None and value.type == "identifier":
                facts.imports[facts.parsed.text(value)] = Imported(imported.specifier, facts.parsed.text(key))


def _read_object(facts: ModuleFacts, name: str, value: Node) -> None:
    """A module-level client or telemetry buffer bound to ``name``."""
    constructed = value.type == "new_expression"
    callee = child(value, "constructor") if constructed else child(value, "function")
    if value.type not in ("new_expression", "call_expression") or callee is None:
        return
    root = facts.parsed.text(child(callee, "object")) if callee.type == "member_expression" else None
    if not constructed and root in facts.buffers:  # ``const tracer = provider.getTracer('x')`` fills the provider's buffer
        facts.buffers[name] = facts.buffers[root]
        facts.buffer_roots[name] = facts.buffer_roots.get(root, root)
        return
    qualified = facts.qualify(callee)
    if qualified is None:
        return
    if constructed and qualified.rsplit(".", 1)[-1].endswith(catalogue.CLIENT_SUFFIX):
        facts.clients.add(name)
    key = f"new {qualified}" if constructed else qualified
    if key in catalogue.PROMISE_FACTORIES:
        facts.promise_functions.add(name)
    text = facts.parsed.text(value)
    for buffer in catalogue.BUFFERS:
        buffered = not buffer.buffered_if or any(marker in text for marker in buffer.buffered_if)
        if key in buffer.created_by and buffered:  # module-wide clients (``Sentry.*``) are the module itself
            facts.buffers[name] = buffer


def _read_assignment(facts: ModuleFacts, expression: Node | None) -> None:
    """``exports.handler = ...``, ``module.exports = ...``, ``module.exports.x = ...``."""
    if expression is None or expression.type != "assignment_expression":
        return
    target = dotted(facts.parsed, child(expression, "left"))
    value = child(expression, "right")
    if target is None or value is None:
        return
    if target in ("module.exports", "exports"):
        value = unwrap(value)
        while value is not None and value.type == "assignment_expression" and \
                dotted(facts.parsed, child(value, "left")) in ("module.exports", "exports"):
            value = unwrap(child(value, "right"))  # ``exports = module.exports = ...``
        if value is not None and value.type == "object":
            for pair in value.named_children:
                if pair.type == "pair" and child(pair, "key") is not None:
                    facts.exports[facts.parsed.text(child(pair, "key"))] = child(pair, "value")  # type: ignore[assignment]
                elif pair.type == "shorthand_property_identifier":
                    facts.exports[facts.parsed.text(pair)] = pair
                elif pair.type == "method_definition" and child(pair, "name") is not None:
                    facts.exports[facts.parsed.text(child(pair, "name"))] = pair
        elif value is not None:
            facts.exports["module.exports"] = value
    elif target.startswith(("exports.", "module.exports.")):
        facts.exports[target.rsplit(".", 1)[1]] = value
