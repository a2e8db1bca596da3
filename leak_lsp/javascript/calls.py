"""Expressions to effects: which calls start, settle, collect or hand off work (read from
the catalogue), and what value each expression carries (the names holding its work)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from leak_lsp.flow import Bind, Collect, Exit, ExitRole, HandOff, Settle, Work
from leak_lsp.javascript import catalogue
from leak_lsp.javascript.handlers import parameter_names
from leak_lsp.javascript.lowering import Lowering, Role
from leak_lsp.javascript.module import (
    ModuleFacts,
    data_client_requests,
    is_async,
    resolve_function,
    returned_expression,
)
from leak_lsp.javascript.syntax import FUNCTION_TYPES, Node, ParsedSource, dotted, string_value, unwrap, walk
from leak_lsp.javascript.syntax import field as child

_RESPONSE_METHODS = frozenset({"send", "json", "end", "sendStatus", "redirect", "render", "sendFile", "jsonp"})
DONE_METHODS = frozenset({"done", "succeed", "fail"})
_TIMER_KINDS = frozenset({"timer", "interval"})
UNREF = "#unref"  # the container of work the event loop does not wait for
PARAMETER = "parameter"  # the stand-in work a helper's parameter holds while it is summarised


@dataclass(frozen=True)
class CalleeSummary:
    """What calling a function does to work, for its callers (NODE.md: helpers are summarised)."""

    name: str
    path: str
    is_async: bool
    leaked: tuple[Work, ...] = ()  # still pending at its exits
    returned: tuple[Work, ...] = ()  # handed to the caller through the return value
    settles_parameters: frozenset[int] = frozenset()  # ``waitAll(ps)`` settles what ``ps`` holds
    settles_receiver: bool = False  # ``stop() { clearInterval(this.timer) }`` settles what its object holds


Summaries = Callable[[Node], "CalleeSummary | None"]  # a callee (a name or member expression) -> its summary


class CallLowering(Lowering):
    def __init__(self, facts: ModuleFacts, role: Role, summaries: Summaries) -> None:
        super().__init__(facts.parsed, role)
        self.facts = facts
        self.summaries = summaries
        self._executors: list[tuple[frozenset[str], str]] = []  # (resolve/reject names, promise token)
        self._name_hint: str | None = None
        self._event_waits: dict[str, str] = {}  # ``done`` -> ``queue`` for ``const done = once(queue, 'drained')``
        self._handed_callbacks: list[tuple[Node, str, str | None]] = []  # (call, its work, ``only``) of ``op(args, callback)``

    def _exit(self, role: ExitRole, node: Node) -> None:
        """The handler's callback handed to an operation is called when the operation ends, after the rest
        of the synchronous body: that exit comes before the body's own end."""
        if role in (ExitRole.RETURN, ExitRole.END):
            for call, token, only in self._handed_callbacks:
                self.builder.add(Settle(token, None))
                self.builder.add(Exit(ExitRole.CALLBACK, self.parsed.first_line_span(call), terminal=False, only=only))
        super()._exit(role, node)

    def declare(self, target: Node | None, value: Node | None) -> None:
        if target is not None and target.type == "identifier":
            self._name_hint = self.parsed.text(target)
        super().declare(target, value)
        self._name_hint = None

    def _hint(self) -> str | None:
        hint, self._name_hint = self._name_hint, None
        return hint

    # -- expressions -------------------------------------------------------------------
    def expression(self, node: Node | None) -> tuple[str, ...]:
        node = unwrap(node)
        if node is None:
            return ()
        kind = node.type
        if kind == "identifier":
            return (self.parsed.text(node),)
        if kind in ("await_expression", "yield_expression"):  # ``yield`` is ``await`` in compiled async code
            return self._await(node)
        if kind == "call_expression":
            return self._call(node)
        if kind == "new_expression":
            return self._new(node)
        if kind in FUNCTION_TYPES or kind in ("class", "string", "number", "template_string", "regex"):
            return ()
        if kind == "assignment_expression":
            return self._assign(child(node, "left"), child(node, "right"))
        if kind == "ternary_expression":
            self.expression(child(node, "condition"))
            return self.expression(child(node, "consequence")) + self.expression(child(node, "alternative"))
        if kind in ("array", "object", "binary_expression", "spread_element", "pair"):
            return self._children(node, skip=child(node, "key"))
        if kind == "sequence_expression":
            tokens: tuple[str, ...] = ()
            for part in node.named_children:
                tokens = self.expression(part)
            return tokens
        self._children(node)
        return ()

    def _await(self, node: Node) -> tuple[str, ...]:
        """``await x`` settles what ``x`` holds (and the emitter an event wait listens on); it may reject."""
        launched = self._launched(node)
        if launched is not None:
            return (launched,)
        for token in self._children(node):
            self.builder.add(Settle(token))
            if token in self._event_waits:
                self.builder.add(Settle(self._event_waits[token]))
        if not _is_sleep(self.facts, node):
            self.may_reject(node)
        return ()

    def _children(self, node: Node, skip: Node | None = None) -> tuple[str, ...]:
        tokens: tuple[str, ...] = ()
        for part in node.named_children:
            if part != skip and part.type != "comment":
                tokens += self.expression(part)
        return tokens

    def _assign(self, left: Node | None, right: Node | None) -> tuple[str, ...]:
        left = unwrap(left)
        if left is not None and left.type == "identifier":
            self._name_hint = self.parsed.text(left)
        tokens = self.expression(right)
        self._name_hint = None
        if left is not None and left.type == "identifier" and self.parsed.text(left) not in self.local_names:
            for token in tokens:  # kept in a module-level variable: a later invocation may settle it
                self.builder.add(HandOff(token))
        elif left is not None and left.type == "identifier":
            self.builder.add(Bind(self.parsed.text(left), tokens))
        elif left is not None and left.type in ("member_expression", "subscript_expression"):
            for token in tokens:  # kept on an object: someone else settles it, or not (EL901's policy)
                self.builder.add(HandOff(token))
        return tokens

    def _arguments(self, node: Node) -> list[Node]:
        arguments = child(node, "arguments")
        return [arg for arg in arguments.named_children if arg.type != "comment"] if arguments is not None else []

    def _values(self, arguments: list[Node]) -> tuple[str, ...]:
        tokens: tuple[str, ...] = ()
        for argument in arguments:
            tokens += self.expression(argument)
        return tokens

    # -- calls -------------------------------------------------------------------------
    def _call(self, node: Node) -> tuple[str, ...]:
        callee = unwrap(child(node, "function"))
        if callee is not None and callee.type == "await_expression" and child(node, "type_arguments") is not None:
            # tree-sitter reads ``await Promise.all<T>(ps)`` as ``(await Promise.all)<T>(ps)``: the call is awaited
            for token in self._called(node, unwrap(callee.named_children[0]) if callee.named_children else None):
                self.builder.add(Settle(token))
            self.may_reject(node)
            return ()
        return self._called(node, callee)

    def _called(self, node: Node, callee: Node | None) -> tuple[str, ...]:
        arguments = self._arguments(node)
        qualified = self.facts.qualify(callee) or ""
        if self._ends_invocation(node, callee):
            self._values(arguments)
            return ()
        known = self._catalogued_call(node, qualified, arguments)
        if known is not None:
            return known
        if callee is not None and callee.type == "member_expression":
            handled = self._method_call(node, callee, arguments)
            if handled is not None:
                return handled
        buffered = self._buffer_call(callee, qualified)
        if buffered is not None:
            return buffered
        summary = self.summaries(callee) if callee is not None else None
        if summary is not None:
            return self._helper_call(node, summary, arguments)
        return self._unknown_call(node, callee, arguments)

    def _catalogued_call(self, node: Node, qualified: str, arguments: list[Node]) -> tuple[str, ...] | None:
        """A function the catalogue names (not a method of a value): what it does, or ``None``."""
        if qualified in catalogue.HARMLESS:
            callbacks = [unwrap(arg) for arg in arguments if (unwrap(arg) or arg).type in FUNCTION_TYPES]
            if callbacks and self._returns_work(callbacks[0]):  # type: ignore[arg-type]
                self.start("operation", node)  # the callback's promise is not the call's value: nothing to await
            return ()
        if qualified in catalogue.INLINE_CALLERS:
            callbacks = [unwrap(arg) for arg in arguments if (unwrap(arg) or arg).type in FUNCTION_TYPES]
            self._values([arg for arg in arguments if (unwrap(arg) or arg).type not in FUNCTION_TYPES])
            if callbacks:
                self._inline(callbacks[-1])  # type: ignore[arg-type]
            return ()
        if qualified in catalogue.SETTLES_ARGUMENTS:
            for token in self._values(arguments):
                self.builder.add(Settle(token, _with_parameters(catalogue.SETTLES_ARGUMENTS[qualified])))
            return ()
        started = _started_kind(qualified) or ("promise" if qualified in self.facts.promise_functions else None)
        if started is not None:
            return self._start_call(node, started, arguments)
        if qualified in catalogue.EVENT_WAITERS and self._name_hint is not None and arguments \
                and (emitter := unwrap(arguments[0])) is not None and emitter.type == "identifier":
            self._event_waits[self._name_hint] = self.parsed.text(emitter)
        if qualified in catalogue.PROMISE_OF_ARGUMENTS or qualified in catalogue.RACES:
            return self._promise_of(self._values(arguments), _TIMER_KINDS if qualified in catalogue.RACES else frozenset())
        return None

    def _unknown_call(self, node: Node, callee: Node | None, arguments: list[Node]) -> tuple[str, ...]:
        """A call nothing models: async I/O when it takes an error-first callback, else only its parts."""
        if callee is not None and callee.type == "identifier":  # ``unsubscribe()`` stops what returned it
            self.builder.add(Settle(self.parsed.text(callee), _with_parameters(catalogue.STOPPED_BY_CALL)))
        member = callee is not None and callee.type == "member_expression"
        subscription = member and self.parsed.text(child(callee, "property")) in catalogue.SUBSCRIBING_METHODS
        handed = None if subscription else self._handed_callback(arguments)
        if not subscription and (handed is not None or any(_is_error_first(self.facts, arg) for arg in arguments)):
            # ``db.query(sql, (err, rows) => ...)``, ``s3.listBuckets(params, callback)``: async I/O
            if member:
                self.expression(child(callee, "object"))
            self._values([arg for arg in arguments if arg.type not in FUNCTION_TYPES and arg is not handed])
            token = self.start("operation", node, self._hint())
            self._completes_executor(node, None, arguments, started=token)
            if handed is not None and self._at_top_level(node):
                only = UNREF if self.parsed.text(handed) == self.role.waiting_callback else None
                self._handed_callbacks.append((node, token, only))
            return (token,)
        self._completes_executor(node, callee, arguments, started=None)
        if member:
            self.expression(child(callee, "object"))
        self._values(arguments)
        return ()

    def _handed_callback(self, arguments: list[Node]) -> Node | None:
        """The handler's own callback given to a call by name (an error-first callback by contract)."""
        names = {self.role.callback, self.role.waiting_callback} - {None}
        return next((arg for arg in arguments if arg.type == "identifier" and self.parsed.text(arg) in names), None)

    def _at_top_level(self, node: Node) -> bool:
        """A call in a statement of the function's own body (every later exit of the body follows it)."""
        statement = node
        while statement.parent is not None and not statement.type.endswith("statement"):
            statement = statement.parent
        body = child(self._function, "body") if self._function is not None else None
        return body is not None and statement.parent == body

    def _inline(self, callback: Node) -> None:
        """The body of a callback the call runs as part of the caller (``cors(req, res, () => {...})``);
        a ``return`` at its top level only ends the callback."""
        body = unwrap(child(callback, "body"))
        if body is None or body.type != "statement_block":
            self.expression(body)
            return
        for statement in body.named_children:
            if self.builder.current is None:
                return
            if statement.type == "return_statement":
                self._children(statement)
                return
            self.statement(statement)

    def _start_call(self, node: Node, kind: str, arguments: list[Node]) -> tuple[str, ...]:
        self._values([arg for arg in arguments if arg.type not in FUNCTION_TYPES])
        token = self.start(kind, node, self._hint())
        self._completes_executor(node, None, arguments, started=token)
        return (token,)

    def _promise_of(self, tokens: tuple[str, ...], except_kinds: frozenset[str] = frozenset()) -> tuple[str, ...]:
        combined = self.temporary()
        self.builder.add(Collect(combined, tokens, except_kinds))
        return (combined,)

    def _method_call(self, node: Node, callee: Node, arguments: list[Node]) -> tuple[str, ...] | None:
        """A method the catalogue names, tried in order: settling, then requests and containers, then starting."""
        method = self.parsed.text(child(callee, "property"))
        receiver = child(callee, "object")
        for kind_of_method in (self._settling_method, self._data_method, self._starting_method):
            handled = kind_of_method(node, method, receiver, arguments)
            if handled is not None:
                return handled
        return None

    def _settling_method(self, node: Node, method: str, receiver: Node | None, arguments: list[Node]) -> tuple[str, ...] | None:
        """Chains, ``unref``, hand-offs to the platform and settling methods: what the receiver holds."""
        if method in catalogue.CHAIN_METHODS:
            chained = self._promise_of(self.expression(receiver))
            if any(self._forgets_work(callback) for callback in arguments):  # ``.then(() => { send(); })``
                self.start("forgotten", node)  # the chain settles without it
            return chained
        if method == "unref":  # the loop no longer waits for it (a callback handler's runtime neither)
            for token in self.expression(receiver):
                self.builder.add(Collect(UNREF, (token,)))
            return ()
        if method in catalogue.HANDING_OFF_METHODS:  # ``context.waitUntil(promise)``
            for token in self._values(arguments):
                self.builder.add(Settle(token, None))
            return ()
        if method in catalogue.SETTLING_METHODS:
            for token in self.expression(receiver):
                self.builder.add(Settle(token, _with_parameters(catalogue.SETTLING_METHODS[method])))
            return ()
        return None

    def _data_method(self, node: Node, method: str, receiver: Node | None, arguments: list[Node]) -> tuple[str, ...] | None:
        """A data client's request (before containers: ``ref.push(data)`` is one), a container's, ``forEach(clearTimeout)``."""
        requests = data_client_requests(self.facts, receiver) or self._event_reference(receiver)
        if requests is not None and method in requests.listeners:  # ``query.onSnapshot(f)``: open until stopped
            self._values([arg for arg in arguments if arg.type not in FUNCTION_TYPES])
            return (self.start("listener", node, self._hint()),)
        if requests is not None and method in requests.methods:  # ``db.collection("c").add(data)``
            self._values([arg for arg in arguments if arg.type not in FUNCTION_TYPES])
            token = self.start(requests.kind, node, self._hint())
            self._completes_executor(node, None, arguments, started=token)
            return (token,)
        receiver_name = dotted(self.parsed, receiver)
        if method in catalogue.COLLECTING_METHODS and receiver_name is not None:
            tokens = self._values(arguments)
            if tokens:
                self.builder.add(Collect(receiver_name, tokens))
            return (receiver_name,) if method == "concat" else ()
        settled_kinds = self._settles_each(arguments) if method in ("forEach", "map") else None
        if settled_kinds is not None:  # ``timers.forEach(clearTimeout)``
            for token in self.expression(receiver):
                self.builder.add(Settle(token, _with_parameters(settled_kinds)))
            return ()
        return None

    def _starting_method(self, node: Node, method: str, receiver: Node | None, arguments: list[Node]) -> tuple[str, ...] | None:
        """Methods that start work: mapping or forgetting promise-making callbacks, starters, client requests."""
        callbacks = [unwrap(arg) for arg in arguments if (unwrap(arg) or arg).type in FUNCTION_TYPES]
        makes_promises = bool(callbacks) and self._returns_work(callbacks[0])  # type: ignore[arg-type]
        if method in catalogue.MAPPING_METHODS and makes_promises:
            self.expression(receiver)
            return (self.start("promise", node, self._hint()),)
        if method in catalogue.FIRE_AND_FORGET_METHODS and makes_promises:
            self.expression(receiver)
            self.start("forgotten", node)
            return ()
        if method in catalogue.STARTING_METHODS:
            self.expression(receiver)
            self._values([arg for arg in arguments if arg.type not in FUNCTION_TYPES])
            return (self.start(catalogue.STARTING_METHODS[method], node, self._hint()),)
        if method in catalogue.REQUEST_METHODS and self._is_client(receiver, arguments):
            self._values(arguments)
            return (self.start("promise", node, self._hint()),)
        return None

    def _event_reference(self, chain: Node | None) -> catalogue.Requests | None:
        """``event.data.ref`` in a Firestore trigger: a reference to the triggering document (its service's
        requests); ``doc.ref`` of a document read in a module that uses Firestore or the Realtime Database."""
        if not self._through_reference(chain):
            return None
        if self.role.references is not None and root_name(self.parsed, chain) in self.role.reference_roots:
            return self.role.references
        return catalogue.DOCUMENT_REFERENCES if self.facts.imports_any(catalogue.DOCUMENT_CLIENTS) else None

    def _through_reference(self, chain: Node | None) -> bool:
        node = unwrap(chain)
        while node is not None and node.type in ("member_expression", "call_expression", "subscript_expression"):
            if node.type == "member_expression" and self.parsed.text(child(node, "property")) in catalogue.REFERENCE_PROPERTIES:
                return True
            node = unwrap(child(node, "object") if node.type != "call_expression" else child(node, "function"))
        return False

    def _launched(self, awaited: Node) -> str | None:
        """``await puppeteer.launch()``: the promise settles with a running browser, the work itself."""
        call = unwrap(awaited.named_children[0]) if awaited.named_children else None
        if call is None or call.type != "call_expression":
            return None
        kind = catalogue.LAUNCHES.get(self.facts.qualify(child(call, "function")) or "")
        if kind is None:
            return None
        self._values(self._arguments(call))
        return self.start(kind, call, self._hint())

    def _settles_each(self, arguments: list[Node]) -> frozenset[str] | None:
        """The kinds ``clearTimeout`` or ``(t) => clearTimeout(t)`` settles, given to ``forEach``."""
        first = unwrap(arguments[0]) if arguments else None
        if first is not None and first.type in FUNCTION_TYPES:
            first = unwrap(child(first, "body"))
            first = first.named_children[0].named_children[0] if first is not None and first.type == "statement_block" \
                and len(first.named_children) == 1 and first.named_children[0].named_children else first
            first = child(first, "function") if first is not None and first.type == "call_expression" else None
        kinds = catalogue.SETTLES_ARGUMENTS.get(self.facts.qualify(first) or "", frozenset())
        return kinds if kinds != frozenset() else None

    def _is_client(self, receiver: Node | None, arguments: list[Node]) -> bool:
        name = dotted(self.parsed, receiver)
        if name is not None and name.rsplit(".", 1)[-1] in self.facts.clients:
            return True
        first = unwrap(arguments[0]) if arguments else None
        return first is not None and first.type == "new_expression" and self.parsed.text(child(first, "constructor")).endswith("Command")

    def _returns_work(self, callback: Node) -> bool:
        """An async callback, or one whose body starts work (``() => { refresh().catch(log); }``)."""
        if is_async(callback):
            return True
        body = unwrap(child(callback, "body"))
        return self._forgets_work(callback) if body is not None and body.type == "statement_block" \
            else self._starts_work(body)

    def _forgets_work(self, callback: Node) -> bool:
        """A callback whose block starts work in a statement of its own, neither returned nor awaited:
        whoever waits for the callback does not wait for that work (``snap => { doc.ref.update(d); }``)."""
        function = unwrap(callback) or callback
        body = unwrap(child(function, "body")) if function.type in FUNCTION_TYPES else None
        if body is None or body.type != "statement_block":
            return self._chain_forgets(body)
        return any(self._starts_work(statement.named_children[0]) if statement.type == "expression_statement"
                   else self._chain_forgets(statement.named_children[0])
                   for statement in _own_statements(body)
                   if statement.type in ("expression_statement", "return_statement") and statement.named_children)

    def _chain_forgets(self, expression: Node | None) -> bool:
        """A returned chain one of whose callbacks forgets work (``return read().then(r => { send(r); })``)."""
        call = unwrap(expression)
        while call is not None and call.type == "call_expression" and self._chained_receiver(call) is not None:
            arguments = child(call, "arguments")
            if arguments is not None and any(self._forgets_work(arg) for arg in arguments.named_children):
                return True
            call = self._chained_receiver(call)
        return False

    def _starts_work(self, expression: Node | None) -> bool:
        call = unwrap(expression)
        while call is not None and call.type == "call_expression" and self._chained_receiver(call) is not None:
            call = self._chained_receiver(call)  # ``p.then(f).catch(g)`` is the work of ``p``
        if call is None or call.type != "call_expression":
            return False
        callee = child(call, "function")
        if self._is_request(callee) or self._forgetting_iteration(call, callee):
            return True
        qualified = self.facts.qualify(callee) or ""
        summary = self.summaries(callee) if callee is not None and _started_kind(qualified) is None else None
        return _started_kind(qualified) is not None or (summary is not None and (summary.is_async or bool(summary.returned)))

    def _is_request(self, callee: Node | None) -> bool:
        """``db.collection("c").add(d)``, ``event.data.ref.set(d)``: a data client's request."""
        if callee is None or callee.type != "member_expression":
            return False
        receiver = child(callee, "object")
        requests = data_client_requests(self.facts, receiver) or self._event_reference(receiver)
        return requests is not None and self.parsed.text(child(callee, "property")) in requests.methods

    def _forgetting_iteration(self, call: Node, callee: Node | None) -> bool:
        """``items.forEach(item => { send(item); })``: each callback's work is dropped by the iteration."""
        if callee is None or callee.type != "member_expression" or \
                self.parsed.text(child(callee, "property")) not in catalogue.FIRE_AND_FORGET_METHODS:
            return False
        arguments = child(call, "arguments")
        return arguments is not None and any(self._returns_work(arg) for arg in arguments.named_children
                                             if (unwrap(arg) or arg).type in FUNCTION_TYPES)

    def _chained_receiver(self, call: Node) -> Node | None:
        callee = child(call, "function")
        if callee is None or callee.type != "member_expression" or \
                self.parsed.text(child(callee, "property")) not in catalogue.CHAIN_METHODS:
            return None
        return unwrap(child(callee, "object"))

    def _buffer_call(self, callee: Node | None, qualified: str) -> tuple[str, ...] | None:
        """``logger.info(...)`` fills a module-level buffer; ``logger.flush()`` promises to empty it."""
        owner, _, method = (dotted(self.parsed, callee) or "").rpartition(".")
        buffer = self.facts.buffers.get(owner)
        owner = self.facts.buffer_roots.get(owner, owner)
        key = owner
        if buffer is None and qualified.startswith(catalogue.MODULE_BUFFER_PREFIXES):
            buffer = next(candidate for prefix, candidate in catalogue.MODULE_BUFFERS if qualified.startswith(prefix))
            key, method = f"buffer:{buffer.vendor}", qualified.rsplit(".", 1)[-1]
        if buffer is None or callee is None:
            return None
        if method in buffer.filled_by:
            self.start("buffer", callee, owner or buffer.vendor, once_key=key)
            return ()
        if method in buffer.flushed_by:
            flushed = self._promise_of((key,))
            self._completes_executor(callee, None, self._arguments(callee.parent) if callee.parent else [], flushed[0])
            return flushed
        return None

    def _helper_call(self, node: Node, summary: CalleeSummary, arguments: list[Node]) -> tuple[str, ...]:
        values = [self.expression(arg) for arg in arguments]
        for index in summary.settles_parameters:
            for token in values[index] if index < len(values) else ():
                self.builder.add(Settle(token))
        step = (summary.path, self.parsed.first_line_span(node), f"`{summary.name}()` is called here")
        leaked = tuple(self.start(work.kind, node, via=(step, (summary.path, work.span, f"`{summary.name}()` starts it here")),
                                  origin=work.site)
                       for work in summary.leaked)
        hint = self._hint()
        if summary.is_async:
            token = self.start("promise", node, hint)
            self._completes_executor(node, None, arguments, started=token)
            returned: tuple[str, ...] = (token,)
        else:
            returned = tuple(self.start(work.kind, node, hint, via=((summary.path, work.span, f"`{summary.name}()` starts it here"),))
                             for work in summary.returned)
        receiver = _receiver_name(self.parsed, child(node, "function"))
        if receiver is not None and leaked + returned:  # ``hb.start()``: the object holds what its method left running
            self.builder.add(Collect(receiver, leaked + returned))
        if receiver is not None and summary.settles_receiver:
            self.builder.add(Settle(receiver))
        return self._promise_of(returned) if len(returned) > 1 else returned

    def _new(self, node: Node) -> tuple[str, ...]:
        constructor = child(node, "constructor")
        qualified = f"new {self.facts.qualify(constructor) or ''}"
        arguments = self._arguments(node)
        if qualified == "new Promise":
            return self._promise(node, arguments)
        started = _started_kind(qualified)
        if started is not None:
            return self._start_call(node, started, arguments)
        self._values(arguments)
        return ()

    def _promise(self, node: Node, arguments: list[Node]) -> tuple[str, ...]:
        """``new Promise(executor)``: the executor runs now; what it hands ``resolve`` to is the promise's work."""
        token = self.temporary()
        self.builder.add(Bind(token))
        self._hint()  # the variable names the promise, not what its executor starts
        executor = unwrap(arguments[0]) if arguments else None
        if executor is None or executor.type not in FUNCTION_TYPES:
            return (token,)
        resolvers = frozenset(name for name in parameter_names(self.parsed, executor)[:2] if name)
        self._executors.append((resolvers, token))
        body = child(executor, "body")
        if body is not None and body.type == "statement_block":
            for statement in body.named_children:  # straight-line part only: control flow inside executors is rare
                if statement.type in ("expression_statement", "lexical_declaration", "variable_declaration"):
                    self.statement(statement)
        elif body is not None:
            self.expression(body)
        self._executors.pop()
        return (token,)

    def _completes_executor(self, node: Node, callee: Node | None, arguments: list[Node], started: str | None) -> None:
        """Inside an executor, a call given ``resolve`` settles the promise when its work ends."""
        if not self._executors:
            return
        resolvers, promise = self._executors[-1]
        if not any(_mentions(self.parsed, arg, resolvers) for arg in arguments):
            return
        if started is not None:
            self.builder.add(Collect(promise, (started,)))
            return
        receiver = child(callee, "object") if callee is not None and callee.type == "member_expression" else None
        subscribes = callee is not None and callee.type == "member_expression" and \
            self.parsed.text(child(callee, "property")) in catalogue.SUBSCRIBING_METHODS
        tokens = self.expression(receiver) if receiver is not None else ()
        if subscribes:  # ``child.once('close', resolve)``: the promise waits for the child's end
            event = string_value(self.parsed, arguments[0]) if arguments else None
            if tokens and event in catalogue.ENDING_EVENTS:
                self.builder.add(Collect(promise, tokens))
        else:  # a callback API of unknown code: the promise waits for it
            self.builder.add(Collect(promise, (self.start("operation", node),)))

    # -- the ends of an invocation ----------------------------------------------------------
    def _ends_invocation(self, node: Node, callee: Node | None) -> bool:
        role = self.role
        name = dotted(self.parsed, callee) or ""
        head, _, method = name.partition(".")
        method = method.rsplit(".", 1)[-1]
        if role.callback is not None and name == role.callback:
            self.builder.add(Exit(ExitRole.CALLBACK, self.parsed.first_line_span(node), terminal=False))
            return True
        if role.waiting_callback is not None and name == role.waiting_callback:  # NODE.md R3a: unref'd work leaks
            self.builder.add(Exit(ExitRole.CALLBACK, self.parsed.first_line_span(node), terminal=False, only=UNREF))
            return True
        if role.context is not None and head == role.context and method in DONE_METHODS:
            self.builder.add(Exit(ExitRole.DONE, self.parsed.first_line_span(node), terminal=False))
            return True
        last = self.parsed.text(child(callee, "property")) if callee is not None and callee.type == "member_expression" else ""
        if role.response is not None and root_name(self.parsed, callee) == role.response and last in _RESPONSE_METHODS:
            self.builder.add(Exit(ExitRole.RESPONSE, self.parsed.first_line_span(node), terminal=False))
            return True
        return False


_NESTING_STATEMENTS = frozenset({"if_statement", "else_clause", "statement_block", "try_statement", "catch_clause",
                                  "finally_clause", "for_statement", "for_in_statement", "while_statement"})


def _own_statements(block: Node) -> list[Node]:
    """The statements of a function body, with those nested in its branches, blocks and loops (not in
    nested functions): where a callback may start work of its own."""
    found, stack = [], list(reversed(block.named_children))
    while stack:
        statement = stack.pop()
        if statement.type in _NESTING_STATEMENTS:
            stack.extend(reversed([part for part in statement.named_children if part.type.endswith(
                ("statement", "clause", "statement_block"))]))
        else:
            found.append(statement)
    return found


_ERROR_PARAMETERS = frozenset({"err", "error", "e", "er", "error_"})


def _is_error_first(facts: ModuleFacts, argument: Node) -> bool:
    """A Node-style callback ``(err, result) => ...``, inline or a module function given by name
    (``sendMail(options, report)``): the call it is given to is asynchronous I/O."""
    callback = resolve_function(facts, argument)
    if callback is None:
        return False
    names = parameter_names(facts.parsed, callback)
    inline = unwrap(argument) == callback
    least = 1 if inline else 2  # by name: ``(error, info)``; ``errors.forEach(report)`` with ``report(error)`` is no I/O
    return len(names) >= least and names[0] in _ERROR_PARAMETERS and callback.type != "method_definition"


def _is_sleep(facts: ModuleFacts, awaited: Node) -> bool:
    """``await new Promise((r) => setTimeout(r, ms))``, ``await setTimeout(ms)`` of timers/promises, or a call
    of a module function that returns such a promise (``const sleep = (ms) => new Promise(...)``): cannot reject."""
    value = unwrap(awaited.named_children[0]) if awaited.named_children else None
    if value is not None and value.type == "call_expression":
        callee = child(value, "function")
        if facts.qualify(callee) == "timers/promises.setTimeout":
            return True
        helper = facts.functions.get(facts.parsed.text(callee)) if callee is not None and callee.type == "identifier" else None
        value = unwrap(returned_expression(helper)) if helper is not None else None
    return value is not None and value.type == "new_expression" and _only_arms_timers(facts, value)


def _only_arms_timers(facts: ModuleFacts, promise: Node) -> bool:
    """``new Promise(executor)`` whose executor only arms a timer with its ``resolve`` (no ``reject``)."""
    arguments = child(promise, "arguments")
    executor = unwrap(arguments.named_children[0]) if arguments is not None and arguments.named_children else None
    if facts.parsed.text(child(promise, "constructor")) != "Promise" or executor is None or executor.type not in FUNCTION_TYPES:
        return False
    calls = [node for node in walk(child(executor, "body")) if node.type == "call_expression"]  # type: ignore[arg-type]
    return bool(calls) and all(_started_kind(facts.qualify(child(call, "function")) or "") == "timer" for call in calls) \
        and len(parameter_names(facts.parsed, executor)) < 2


def _with_parameters(kinds: frozenset[str] | None) -> frozenset[str] | None:
    """A helper's parameter stands for work of any kind: settling it is what its summary records."""
    return None if kinds is None else kinds | {PARAMETER}


def _receiver_name(parsed: ParsedSource, callee: Node | None) -> str | None:
    """``queue`` in ``queue.enqueue(item)``: a method called on a variable."""
    owner = unwrap(child(callee, "object")) if callee is not None and callee.type == "member_expression" else None
    return parsed.text(owner) if owner is not None and owner.type == "identifier" else None


def _started_kind(qualified: str) -> str | None:
    kind = catalogue.STARTS.get(qualified)
    if kind is None and "." in qualified:
        kind = catalogue.STARTS.get(qualified.rsplit(".", 1)[0] + ".*")
    return kind


def _mentions(parsed: ParsedSource, node: Node, names: frozenset[str]) -> bool:
    return any(part.type == "identifier" and parsed.text(part) in names for part in walk(node))


def root_name(parsed: ParsedSource, node: Node | None) -> str | None:
    """The identifier a chain of calls and accesses starts from: ``res`` in ``res.status(500).send``."""
    node = unwrap(node)
    while node is not None and node.type in ("member_expression", "call_expression", "subscript_expression"):
        node = unwrap(child(node, "object") if node.type != "call_expression" else child(node, "function"))
    return parsed.text(node) if node is not None and node.type == "identifier" else None
