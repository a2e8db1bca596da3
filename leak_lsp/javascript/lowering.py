"""Lowering one JavaScript/TypeScript function to a control-flow graph of effects.

Statements become blocks and edges (``if``, loops, ``switch``, ``try/catch/finally``
with the ``finally`` body copied onto every path that leaves through it, labelled
``break``/``continue``); expressions become effects through
:class:`~leak_lsp.javascript.calls.CallLowering`, which reads the catalogue. Nested
functions are callbacks: they run later, so their bodies are not lowered here, except
a ``new Promise`` executor (it runs at once).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from leak_lsp.analysis.model import Span
from leak_lsp.flow import Bind, Exit, ExitRole, GraphBuilder, HandOff, Observe, Settle, Start, Work
from leak_lsp.javascript import catalogue
from leak_lsp.javascript.module import compiled_body
from leak_lsp.javascript.syntax import FUNCTION_TYPES, Node, ParsedSource, unwrap
from leak_lsp.javascript.syntax import field as child


@dataclass(frozen=True)
class Role:
    """What the function being lowered is, which decides what its exits and returns mean."""

    is_handler: bool
    callback: str | None = None  # the callback parameter, when calling it ends the invocation
    waiting_callback: str | None = None  # the callback parameter, when the runtime then waits for ref'd work
    context: str | None = None  # ``context.done()`` ends the invocation
    response: str | None = None  # ``res.send()`` ends the invocation (Cloud Functions HTTP)
    returned_is_awaited: bool = True  # the platform awaits a returned promise
    references: catalogue.Requests | None = None  # what ``.ref`` reached from ``reference_roots`` sends
    reference_roots: frozenset[str] = frozenset()  # the trigger's event parameter and its local aliases


@dataclass
class _Frame:
    kind: str  # "loop" | "switch" | "finally" | "catch" | "label"
    label: str | None = None
    breaks: list[int] = field(default_factory=list)
    continues: list[int] = field(default_factory=list)
    finalizer: Node | None = None
    catch_entry: int = -1


class Lowering:
    """Statement-level lowering; the expression-level part is mixed in by ``CallLowering``."""

    def __init__(self, parsed: ParsedSource, role: Role) -> None:
        self.parsed = parsed
        self.role = role
        self.builder = GraphBuilder()
        self.started_at: dict[int, Node] = {}  # work site -> the node that starts it (for fixes)
        self.exits_at: dict[Span, Node] = {}  # exit span -> its statement (for fixes)
        self._frames: list[_Frame] = []
        self._temporaries = 0
        self._pending_label: str | None = None
        self._function: Node | None = None

    # -- helpers used by both levels ---------------------------------------------------------
    def temporary(self) -> str:
        self._temporaries += 1
        return f"${self._temporaries}"

    def start(self, kind: str, node: Node, name: str | None = None, via: tuple[tuple[str, object, str], ...] = (),
              once_key: str | None = None, origin: int | None = None) -> str:
        """Start work of ``kind`` at ``node``; the temporary that holds it. ``origin`` tells apart works
        one call starts (a helper's leaked work from the promise it returns)."""
        token = once_key or self.temporary()
        site = node.id if origin is None else hash((node.id, origin))
        work = Work(site=site if once_key is None else hash(once_key), kind=kind,
                    span=self.parsed.first_line_span(node), name=name, via=via)  # type: ignore[arg-type]
        self.started_at[work.site] = node
        self.builder.add(Start(work, (token,), once=once_key is not None))
        return token

    def expression(self, node: Node | None) -> tuple[str, ...]:  # implemented by CallLowering
        raise NotImplementedError

    # -- functions -------------------------------------------------------------------------
    @cached_property
    def local_names(self) -> set[str]:
        """Parameters and variables declared in the lowered function; gathered on the first
        assignment that asks (a walk of the whole function, which most functions never need)."""
        return _local_names(self.parsed, self._function) if self._function is not None else set()

    def lower_function(self, function: Node) -> None:
        function = self._function = compiled_body(function) or function
        body = child(function, "body")
        if body is None:
            return
        if body.type != "statement_block":
            self._returning(self.expression(body))
            self._exit(ExitRole.RETURN, body)
            return
        self.statements(body.named_children)
        if self.builder.current is not None:
            closing = body.children[-1] if body.children else body
            self._exit(ExitRole.END, closing)

    def _exit(self, role: ExitRole, node: Node) -> None:
        span = self.parsed.first_line_span(node)
        self.exits_at[span] = node
        self.builder.add(Exit(role, span))
        self.builder.stop()

    def _returning(self, tokens: tuple[str, ...]) -> None:
        for token in tokens:
            self.builder.add(Settle(token) if self.role.is_handler and self.role.returned_is_awaited else HandOff(token))

    # -- statements ------------------------------------------------------------------------
    def statements(self, nodes: list[Node]) -> None:
        for node in nodes:
            if self.builder.current is None:
                return
            self.statement(node)

    def statement(self, node: Node) -> None:
        kind = node.type
        method = getattr(self, f"_{kind}", None)
        if method is not None:
            method(node)
        elif kind in FUNCTION_TYPES or kind in ("class_declaration", "comment", "empty_statement", "import_statement"):
            return
        elif kind in ("lexical_declaration", "variable_declaration"):
            for declarator in (c for c in node.named_children if c.type == "variable_declarator"):
                self.declare(child(declarator, "name"), child(declarator, "value"))
        else:
            self.expression(node.named_children[0] if kind == "expression_statement" and node.named_children else node)

    def declare(self, target: Node | None, value: Node | None) -> None:
        tokens = self.expression(value) if value is not None else ()
        if target is not None and target.type == "identifier":
            self.builder.add(Bind(self.parsed.text(target), tokens))

    def _statement_block(self, node: Node) -> None:
        self.statements(node.named_children)

    def _export_statement(self, node: Node) -> None:
        declaration = child(node, "declaration")
        if declaration is not None:
            self.statement(declaration)

    def _return_statement(self, node: Node) -> None:
        value = node.named_children[0] if node.named_children else None
        self._returning(self.expression(value) if value is not None else ())
        self._leave(lambda frame: False)
        self._exit(ExitRole.RETURN, node)

    def _throw_statement(self, node: Node) -> None:
        if node.named_children:
            self.expression(node.named_children[0])
        catch = self._leave(lambda frame: frame.kind == "catch")
        if catch is None:
            self._exit(ExitRole.THROW, node)
            return
        self.builder.edge(self.builder.current, catch.catch_entry)
        self.builder.stop()

    def may_reject(self, node: Node) -> None:
        """An awaited promise may reject: outside a ``catch`` of the handler, the exception leaves it
        (through the ``finally`` bodies on the way), while the path where it resolves goes on."""
        if self.builder.current is None or not self.role.is_handler or any(f.kind == "catch" for f in self._frames):
            return
        resume = self.builder.current
        self.builder.branch()
        self._leave(lambda frame: False)
        if self.builder.current is not None:
            self._exit(ExitRole.REJECT, node)
        self.builder.current = resume
        self.builder.branch()

    def _leave(self, stops_at: object) -> _Frame | None:
        """Run the ``finally`` bodies between here and the first frame ``stops_at`` accepts."""
        saved = self._frames
        try:
            for depth in range(len(saved) - 1, -1, -1):
                frame = saved[depth]
                if stops_at(frame):  # type: ignore[operator]
                    return frame
                if frame.kind == "finally" and frame.finalizer is not None:
                    self._frames = saved[:depth]
                    self.statement(frame.finalizer)
        finally:
            self._frames = saved
        return None

    def _break_statement(self, node: Node) -> None:
        self._jump(node, "breaks")

    def _continue_statement(self, node: Node) -> None:
        self._jump(node, "continues")

    def _jump(self, node: Node, targets: str) -> None:
        label_node = child(node, "label")
        label = self.parsed.text(label_node) if label_node is not None else None

        def accepts(frame: _Frame) -> bool:
            if label is not None:
                return frame.label == label and frame.kind in ("loop", "switch", "label")
            return frame.kind == "loop" or (frame.kind == "switch" and targets == "breaks")

        frame = self._leave(accepts)
        if frame is not None and self.builder.current is not None:
            getattr(frame, targets if frame.kind == "loop" else "breaks").append(self.builder.current)
        self.builder.stop()

    def _labeled_statement(self, node: Node) -> None:
        label = self.parsed.text(child(node, "label"))
        body = child(node, "body") or (node.named_children[-1] if node.named_children else None)
        if body is None:
            return
        if body.type in ("for_statement", "for_in_statement", "while_statement", "do_statement"):
            self._pending_label = label
            self.statement(body)
            return
        frame = _Frame("label", label)
        self._frames.append(frame)
        self.statement(body)
        self._frames.pop()
        self.builder.join([self.builder.current, *frame.breaks])

    def _if_statement(self, node: Node) -> None:
        condition = unwrap(child(node, "condition"))
        self.expression(condition)
        tested, negated = _tested_name(self.parsed, condition)
        before = self.builder.current
        self.builder.branch()
        if tested is not None and negated:
            self.builder.add(Observe(tested))
        consequence = child(node, "consequence")
        if consequence is not None:
            self.statement(consequence)
        after_consequence = self.builder.current
        self.builder.current = before
        self.builder.branch()
        if tested is not None and not negated:
            self.builder.add(Observe(tested))
        alternative = child(node, "alternative")
        if alternative is not None:
            self.statements(alternative.named_children)
        self.builder.join([after_consequence, self.builder.current])

    def _loop(self, node: Node, head_effects: Node | None, body: Node | None, update: Node | None = None,
              iterated: tuple[str, Node | None] | None = None, body_first: bool = False) -> None:
        frame = _Frame("loop", self._pending_label)
        self._pending_label = None
        entry = self.builder.current
        head = self.builder.new_block()
        if body_first:
            body_block = self.builder.new_block()
            self.builder.edge(entry, body_block)
            self.builder.current = body_block
        else:
            self.builder.edge(entry, head)
            self.builder.current = head
            if head_effects is not None:
                self.expression(head_effects)
            self.builder.branch()
        if iterated is not None and iterated[1] is not None:
            self.builder.add(Bind(iterated[0], self.expression(iterated[1])))
        self._frames.append(frame)
        if body is not None:
            self.statement(body)
        self._frames.pop()
        self.builder.join([self.builder.current, *frame.continues])
        if update is not None:
            self.expression(update)
        self.builder.edge(self.builder.current, head)
        if body_first:
            self.builder.current = head
            if head_effects is not None:
                self.expression(head_effects)
            self.builder.edge(head, body_block)
        self.builder.join([head, *frame.breaks])

    def _while_statement(self, node: Node) -> None:
        self._loop(node, child(node, "condition"), child(node, "body"))

    def _do_statement(self, node: Node) -> None:
        self._loop(node, child(node, "condition"), child(node, "body"), body_first=True)

    def _for_statement(self, node: Node) -> None:
        initializer = child(node, "initializer")
        if initializer is not None:
            self.statement(initializer)
        self._loop(node, child(node, "condition"), child(node, "body"), update=child(node, "increment"))

    def _for_in_statement(self, node: Node) -> None:
        left = child(node, "left")
        name = self.parsed.text(left) if left is not None and left.type == "identifier" else ""
        self._loop(node, None, child(node, "body"), iterated=(name, child(node, "right")))

    def _switch_statement(self, node: Node) -> None:
        self.expression(child(node, "value"))
        head = self.builder.current
        frame = _Frame("switch", self._pending_label)
        self._pending_label = None
        self._frames.append(frame)
        previous: int | None = None
        has_default = False
        body = child(node, "body")
        for case in body.named_children if body is not None else []:
            if case.type not in ("switch_case", "switch_default"):
                continue
            has_default = has_default or case.type == "switch_default"
            block = self.builder.new_block()
            self.builder.edge(head, block)
            self.builder.edge(previous, block)
            self.builder.current = block
            self.statements([c for c in case.named_children if c != child(case, "value")])
            previous = self.builder.current
        self._frames.pop()
        self.builder.join([previous, *frame.breaks, *([] if has_default else [head])])

    def _try_statement(self, node: Node) -> None:
        handler, finalizer = child(node, "handler"), child(node, "finalizer")
        finally_body = child(finalizer, "body") if finalizer is not None else None
        if finally_body is None and finalizer is not None:
            finally_body = finalizer.named_children[-1] if finalizer.named_children else None
        if finally_body is not None:
            self._frames.append(_Frame("finally", finalizer=finally_body))
        catch_entry = self.builder.new_block() if handler is not None else -1
        if handler is not None:
            self._frames.append(_Frame("catch", catch_entry=catch_entry))
        body = child(node, "body")
        for statement in body.named_children if body is not None else []:
            if handler is not None and self.builder.current is not None:  # any statement may throw: the catch sees the state between statements
                self.builder.edge(self.builder.current, catch_entry)
                self.builder.branch()
            if self.builder.current is None:
                break
            self.statement(statement)
        ends = []
        if handler is not None:
            self._frames.pop()
            self.builder.edge(self.builder.current, catch_entry)
            ends.append(self.builder.current)
            self.builder.current = catch_entry
            parameter = child(handler, "parameter")
            if parameter is not None and parameter.type == "identifier":
                self.builder.add(Bind(self.parsed.text(parameter)))
            handler_body = child(handler, "body")
            if handler_body is not None:
                self.statement(handler_body)
        ends.append(self.builder.current)
        if finally_body is not None:
            self._frames.pop()
        self.builder.join(ends)
        if finally_body is not None and self.builder.current is not None:
            self.statement(finally_body)


def _local_names(parsed: ParsedSource, function: Node) -> set[str]:
    """Names declared by the function itself (parameters, ``let``/``const``/``var``, catch
    parameters, loop variables), not by functions nested in it."""
    names: set[str] = set()
    stack = list(function.named_children)
    while stack:
        node = stack.pop()
        if node.type in FUNCTION_TYPES:
            continue
        if node.type in ("variable_declarator", "required_parameter", "optional_parameter"):
            target = child(node, "name") or child(node, "pattern")
            names.update(parsed.text(n) for n in ([target] if target is not None else []) if n.type == "identifier")
        elif node.type in ("formal_parameters", ) :
            names.update(parsed.text(n) for n in node.named_children if n.type == "identifier")
        elif node.type in ("catch_clause", "for_in_statement"):
            target = child(node, "parameter") or child(node, "left")
            if target is not None and target.type == "identifier":
                names.add(parsed.text(target))
        stack.extend(node.named_children)
    return names


def _tested_name(parsed: ParsedSource, condition: Node | None) -> tuple[str | None, bool]:
    """``if (t)`` -> (t, False); ``if (!t)`` -> (t, True); anything else -> (None, False)."""
    if condition is None:
        return None, False
    if condition.type == "identifier":
        return parsed.text(condition), False
    if condition.type == "unary_expression" and parsed.text(child(condition, "operator")) == "!":
        inner = unwrap(child(condition, "argument"))
        if inner is not None and inner.type == "identifier":
            return parsed.text(inner), True
    return None, False
