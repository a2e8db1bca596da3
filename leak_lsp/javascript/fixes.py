"""Fixes as plain edits (the model the Python side uses): settle the work before the exits.

Three shapes, the first that applies is preferred:

- a timer declared in the handler's body: the rest of the body goes into
  ``try { ... } finally { clearTimeout(timer); }`` (an unnamed timer is bound first);
- a ``Promise.race`` timeout timer: bound to a ``let``, and the race and the rest of the body in
  ``try { ... } finally { clearTimeout(timer); }``;
- a promise started by an expression statement: ``await`` it there (``void`` becomes ``await``);
- named work (or a telemetry buffer): the settling statement inserted before each exit, or before the
  ``context.done()``/``succeed()``/``fail()`` that ends the invocation (EL152) when it needs no ``await``.

``callbackWaitsForEmptyEventLoop = false`` can be removed (unsafe: see EL151's page).
"""

from __future__ import annotations

import re

from leak_lsp.analysis.model import Applicability, Fix, Position, Span, TextEdit
from leak_lsp.flow import ExitHit, ExitRole, Work
from leak_lsp.javascript import catalogue
from leak_lsp.javascript.handlers import JsHandler
from leak_lsp.javascript.lowering import Lowering
from leak_lsp.javascript.module import ModuleFacts, compiled_body, is_async
from leak_lsp.javascript.syntax import Node, ParsedSource, dotted, field, unwrap, walk

_CLEARED = frozenset({"timer", "interval"})
_EXIT_STATEMENTS = frozenset({"return_statement", "throw_statement"})


def fixes_for(parsed: ParsedSource, facts: ModuleFacts, code: str, work: Work, hits: list[ExitHit],
              handler: JsHandler, lowering: Lowering) -> tuple[Fix, ...]:
    function = compiled_body(handler.function) or handler.function
    if code == "EL151":
        return _without_no_wait_flag(parsed, function)
    start = lowering.started_at.get(work.site)
    if code == "EL152":
        before_done = _settle_before_exits(parsed, facts, function, work, hits, is_async(handler.function), start,
                                           _done_statements(parsed, function, hits))
        return (Fix(before_done.title, before_done.edits, before_done.applicability, preferred=True),) if before_done else ()
    kind = catalogue.KINDS[work.kind]
    if code != kind.code or any(hit.role not in (ExitRole.RETURN, ExitRole.THROW, ExitRole.END) for hit in hits):
        return ()
    if work.kind != "promise" and work.via and (_kept_by_object(parsed, facts, start) or len(work.via) > 1):
        return ()  # ``heartbeat.start()`` keeps its timer on the object, ``tick()`` returns nothing: no handle to clear
    candidates = [
        _race_fix(parsed, function, work, start) if work.kind == "timer" and work.name is None else None,
        _finally_fix(parsed, function, work, start) if work.kind in _CLEARED else None,
        _await_in_place(parsed, work, start) if work.kind == "promise" and is_async(handler.function) else None,
        _settle_before_exits(parsed, facts, function, work, hits, is_async(handler.function), start, lowering.exits_at),
    ]
    fixes = [fix for fix in candidates if fix is not None]
    if not fixes:
        return ()
    first = fixes[0]
    return (Fix(first.title, first.edits, first.applicability, preferred=True), *fixes[1:])


def _kept_by_object(parsed: ParsedSource, facts: ModuleFacts, start: Node | None) -> bool:
    """``heartbeat.start()``: work a method of a variable's object started (not a module's function).
    Only asked of work that came through a summarised method (``src.pipe(dst)`` is a stream the fix can wait for)."""
    callee = field(start, "function") if start is not None and start.type == "call_expression" else None
    owner = field(callee, "object") if callee is not None and callee.type == "member_expression" else None
    return owner is not None and owner.type == "identifier" and parsed.text(owner) not in facts.imports


def _settle_statement(facts: ModuleFacts, work: Work, name: str | None, asynchronous: bool) -> str | None:
    if work.kind == "buffer":
        return _buffer_flush(facts, work) if asynchronous else None
    kind = catalogue.KINDS[work.kind]
    if name is None or not kind.settle or (kind.settle.startswith("await") and not asynchronous):
        return None
    return kind.settle.format(handle=name)


def _settle_before_exits(parsed: ParsedSource, facts: ModuleFacts, function: Node, work: Work, hits: list[ExitHit],
                         asynchronous: bool, start: Node | None, exits: dict[Span, Node]) -> Fix | None:
    edits: set[TextEdit] = set()
    name = work.name
    container = _container_of(parsed, start) if name is None and work.kind == "promise" else None
    if container is not None:
        return _before_exits(parsed, function, hits, exits, f"await Promise.all({container});",
                             "Collect the promises and await `Promise.all`") if asynchronous else None
    if name is None and work.kind != "buffer":  # ``spawn(...)`` as a statement of the body: bind it first
        statement_node = _statement_in_body(start, field(function, "body"))
        if statement_node is None or statement_node.type != "expression_statement":
            return None
        name = _free_name(parsed, catalogue.KINDS[work.kind].handle)
        edits.add(_bind(parsed, statement_node, name))
    statement = _settle_statement(facts, work, name, asynchronous)
    if statement is None:
        return None
    title = f"{catalogue.KINDS[work.kind].settle_title} before the handler exits"
    fix = _before_exits(parsed, function, hits, exits, statement, title, edits)
    scope = _declaring_block(parsed, function, start, work.name) if work.name is not None else None
    if fix is not None and scope is not None and not all(_inside(parsed, scope, edit.span.start) for edit in fix.edits):
        return None  # ``const browser`` inside ``try { }``: at an exit outside it the name is another variable, or none
    return fix


def _bind(parsed: ParsedSource, statement: Node, name: str) -> TextEdit:
    """``const name = `` before the statement's expression; ``void`` (which would bind ``undefined``) is dropped."""
    position = parsed.span(statement).start
    expression = statement.named_children[0] if statement.named_children else None
    if expression is not None and expression.type == "unary_expression" and parsed.text(expression).startswith("void"):
        argument = field(expression, "argument")
        if argument is not None:
            return TextEdit(Span(position, parsed.span(argument).start), f"const {name} = ")
    return TextEdit(Span(position, position), f"const {name} = ")


def _done_statements(parsed: ParsedSource, function: Node, hits: list[ExitHit]) -> dict[Span, Node]:
    """The ``context.done(...);`` statement of each EL152 hit (the hit's span is the call's first line)."""
    wanted = {hit.span for hit in hits}
    return {parsed.first_line_span(node): node.parent for node in walk(function)
            if node.type == "call_expression" and node.parent is not None and node.parent.type == "expression_statement"
            and parsed.first_line_span(node) in wanted}


def _before_exits(parsed: ParsedSource, function: Node, hits: list[ExitHit], exits: dict[Span, Node], statement: str,
                  title: str, edits: set[TextEdit] | None = None) -> Fix | None:
    edits = set(edits or ())
    for hit in hits:
        place = _before_exit(parsed, function, hit, exits.get(hit.span))
        if place is None:
            return None
        position, indent = place
        edits.add(TextEdit(Span(position, position), f"{indent}{statement}\n"))
    ordered = tuple(sorted(edits, key=lambda edit: edit.span.start))
    return Fix(title, ordered, Applicability.SAFE) if ordered else None


def _declaring_block(parsed: ParsedSource, function: Node, start: Node | None, name: str) -> Node | None:
    """The innermost block around ``start`` (up to the function's body) that declares ``name`` with
    ``const``/``let``/``var``; None when the name comes from further out (a parameter, the module)."""
    node = start.parent if start is not None else None
    while node is not None and node.id != function.id:
        if node.type == "statement_block" and any(_declares(parsed, statement, name) for statement in node.named_children):
            return node
        node = node.parent
    return None


def _declares(parsed: ParsedSource, statement: Node, name: str) -> bool:
    return statement.type in ("lexical_declaration", "variable_declaration") and any(
        declarator.type == "variable_declarator" and parsed.text(field(declarator, "name")) == name
        for declarator in statement.named_children)


def _inside(parsed: ParsedSource, block: Node, position: Position) -> bool:
    span = parsed.span(block)
    return span.start < position < span.end


def _container_of(parsed: ParsedSource, start: Node | None) -> str | None:
    """``results.push(send(item))``: the array the promise is collected in."""
    arguments = start.parent if start is not None else None
    call = arguments.parent if arguments is not None and arguments.type == "arguments" else None
    callee = field(call, "function") if call is not None and call.type == "call_expression" else None
    if callee is None or callee.type != "member_expression":
        return None
    if parsed.text(field(callee, "property")) not in ("push", "unshift"):
        return None
    owner = unwrap(field(callee, "object"))
    return parsed.text(owner) if owner is not None and owner.type == "identifier" else None


def _buffer_flush(facts: ModuleFacts, work: Work) -> str | None:
    """The flush of a module-level client (``logger``) or of a vendor's module (``Sentry``)."""
    if work.name is None:
        return None
    buffer = facts.buffers.get(work.name)
    if buffer is not None:
        return buffer.flush_fix.format(owner=work.name)
    buffer = next((b for b in catalogue.BUFFERS if b.vendor == work.name), None)
    if buffer is None:
        return None
    modules = {pattern[:-2] for pattern in buffer.created_by if pattern.endswith(".*")}
    local = next((name for name, imported in facts.imports.items()
                  if imported.export == "*" and imported.specifier in modules), None)
    return buffer.flush_fix.format(owner=local) if local is not None else None


def _before_exit(parsed: ParsedSource, function: Node, hit: ExitHit, node: Node | None) -> tuple[Position, str] | None:
    """Where a statement goes before the exit, and its indentation; None inside a one-line ``if``."""
    if hit.role is ExitRole.END:
        body = field(function, "body")
        if body is None or body.type != "statement_block" or not body.named_children:
            return None
        closing = parsed.span(body).end
        if parsed.lines.line(closing.line)[: closing.column - 1].strip():
            return None
        return Position(closing.line, 0), _indent(parsed, body.named_children[0])
    statements = _EXIT_STATEMENTS | {"expression_statement"} if hit.role is ExitRole.DONE else _EXIT_STATEMENTS
    if node is None or node.type not in statements or node.parent is None or node.parent.type not in ("statement_block", "switch_case", "switch_default"):
        return None
    start = parsed.span(node).start
    if parsed.lines.line(start.line)[: start.column].strip():
        return None
    return Position(start.line, 0), _indent(parsed, node)


def _indent(parsed: ParsedSource, node: Node) -> str:
    line = parsed.lines.line(parsed.span(node).start.line)
    return line[: len(line) - len(line.lstrip())]


def _await_in_place(parsed: ParsedSource, work: Work, start: Node | None) -> Fix | None:
    """``fetch(...)`` or ``void fetch(...)`` as a statement becomes ``await fetch(...)``."""
    if start is None or start.parent is None:
        return None
    statement: Node | None = start.parent
    operand: Node = start
    while statement is not None and statement.type in ("member_expression", "call_expression", "parenthesized_expression") \
            and parsed.span(statement).start == parsed.span(operand).start:
        operand, statement = statement, statement.parent
    is_void = statement is not None and statement.type == "unary_expression" and parsed.text(statement).startswith("void")
    if statement is not None and is_void:
        operand, statement = statement, statement.parent
    if statement is None or statement.type != "expression_statement" or _is_fire_and_forget(parsed, operand):
        return None
    begin = parsed.span(operand).start
    if is_void:
        inner = parsed.span(field(operand, "argument") or operand).start
        edit = TextEdit(Span(begin, inner), "await ")
    else:
        edit = TextEdit(Span(begin, begin), "await ")
    return Fix("Await the promise", (edit,), Applicability.SAFE)


def _is_fire_and_forget(parsed: ParsedSource, expression: Node) -> bool:
    callee = field(unwrap(expression), "function")
    return (dotted(parsed, callee) or "").rsplit(".", 1)[-1] in catalogue.FIRE_AND_FORGET_METHODS


def _finally_fix(parsed: ParsedSource, function: Node, work: Work, start: Node | None) -> Fix | None:
    """The rest of the body in ``try { ... } finally { clearTimeout(timer); }``."""
    body = field(function, "body")
    statement = _statement_in_body(start, body)
    if statement is None or body is None:
        return None
    own_line = parsed.span(statement).end.line  # a trailing comment stays with the statement
    following = [node for node in body.named_children[body.named_children.index(statement) + 1 :]
                 if not (node.type == "comment" and parsed.span(node).start.line == own_line)]
    if not following:
        return None
    kind = catalogue.KINDS[work.kind]
    name = work.name
    edits = []
    if name is None:
        if statement.type != "expression_statement":
            return None
        name = _free_name(parsed, kind.handle)
        edits.append(_bind(parsed, statement, name))
    wrapped = _in_try(parsed, function, statement, following, kind.settle.format(handle=name))
    if wrapped is None:
        return None
    return Fix(f"{kind.settle_title} in a `finally` block", (*edits, wrapped), Applicability.SAFE)


def _race_fix(parsed: ParsedSource, function: Node, work: Work, start: Node | None) -> Fix | None:
    """``Promise.race([work(), new Promise((_, reject) => setTimeout(reject, ms))])``: the timer bound to a ``let``,
    the race and the rest of the body in ``try { ... } finally { clearTimeout(timer); }``."""
    body = field(function, "body")
    if start is None or body is None or body.type != "statement_block" or start.parent is None:
        return None
    if start.parent.type not in ("arrow_function", "expression_statement"):  # already bound: not this shape
        return None
    statement, in_race = start, False
    while statement.parent is not None and statement.parent.id != body.id:
        statement = statement.parent
        in_race = in_race or (statement.type == "call_expression"
                              and dotted(parsed, field(statement, "function")) in catalogue.RACES)
    if statement.parent is None or not in_race:
        return None
    name = _free_name(parsed, catalogue.TIMER.handle)
    rest = body.named_children[body.named_children.index(statement) :]
    bound = (parsed.span(start), f"({name} = {parsed.text(start)})")
    wrapped = _in_try(parsed, function, statement, rest, f"clearTimeout({name});", bound)
    if wrapped is None:
        return None
    declaration = f"{_indent(parsed, statement)}let {name};\n"
    edit = TextEdit(wrapped.span, declaration + wrapped.new_text)
    return Fix("Clear the race's timeout timer in a `finally` block", (edit,), Applicability.SAFE)


def _in_try(parsed: ParsedSource, function: Node, statement: Node, wrapped: list[Node], settle: str,
            replaced: tuple[Span, str] | None = None) -> TextEdit | None:
    """The ``wrapped`` statements, one level deeper, in ``try { ... } finally { settle }`` at ``statement``'s
    indentation; ``replaced`` is a span inside them rewritten on the way."""
    if any("`" in parsed.text(node) for node in wrapped):  # template literals keep their lines
        return None
    indent = _indent(parsed, statement)
    unit = _indent_unit(parsed, function, indent)
    first, last = Position(parsed.span(wrapped[0]).start.line, 0), parsed.span(wrapped[-1]).end
    begin, end = parsed.lines.offset(first), parsed.lines.offset(last)
    block = parsed.lines.text[begin:end]
    if replaced is not None:
        span, text = replaced
        inner_begin, inner_end = parsed.lines.offset(span.start) - begin, parsed.lines.offset(span.end) - begin
        block = block[:inner_begin] + text + block[inner_end:]
    shifted = "\n".join(unit + line if line.strip() else line for line in re.split(r"\r\n|\r|\n", block))
    replacement = f"{indent}try {{\n{shifted}\n{indent}}} finally {{\n{indent}{unit}{settle}\n{indent}}}"
    return TextEdit(Span(first, last), replacement)


def _statement_in_body(start: Node | None, body: Node | None) -> Node | None:
    """The statement of the function's own body that starts the work (``const t = setTimeout(...)``)."""
    if start is None or body is None or body.type != "statement_block":
        return None
    node = start
    while node.parent is not None and node.parent.id != body.id:
        node = node.parent
        if node.type in ("statement_block", "arrow_function", "function_expression", "if_statement"):
            return None
    if node.parent is None or node.type not in ("lexical_declaration", "variable_declaration", "expression_statement"):
        return None
    return node


def _indent_unit(parsed: ParsedSource, function: Node, indent: str) -> str:
    """One level of the file's indentation: the body's indent beyond its function's line."""
    outer = _indent(parsed, function)
    extra = indent[len(outer) :] if indent.startswith(outer) else ""
    return extra or ("\t" if indent.startswith("\t") else "  ")


def _free_name(parsed: ParsedSource, base: str) -> str:
    name, number = base, 1
    while re.search(rf"\b{re.escape(name)}\b", parsed.source):
        number += 1
        name = f"{base}{number}"
    return name


def _without_no_wait_flag(parsed: ParsedSource, function: Node) -> tuple[Fix, ...]:
    for node in walk(function):
        if node.type == "expression_statement" and "callbackWaitsForEmptyEventLoop" in parsed.text(node):
            span = parsed.span(node)
            begin = Position(span.start.line, 0)
            end = Position(span.end.line + 1, 0)
            if parsed.lines.line(span.start.line)[: span.start.column].strip():
                return ()
            return (Fix("Let the runtime wait for the event loop (remove `callbackWaitsForEmptyEventLoop = false`)",
                        (TextEdit(Span(begin, end), ""),), Applicability.UNSAFE, preferred=True),)
    return ()
