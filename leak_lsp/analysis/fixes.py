"""Fix edits that settle pending work, computed as plain data for the CLI and the server.

Every edit keeps the file's indentation unit and line endings. A fix is offered only
when it is right on every path: the work is reachable through one name at each exit it
outlives, and it has been started on every path to those exits.
"""

from __future__ import annotations

import ast
import builtins
import re
from functools import cached_property

from leak_lsp.analysis.cfg import Node
from leak_lsp.analysis.lifecycle import Held, Result, Work
from leak_lsp.analysis.lifecycle.handles import variable
from leak_lsp.analysis.model import Applicability, Fix, Position, Span, TextEdit
from leak_lsp.analysis.names import Scope, all_statements
from leak_lsp.analysis.noqa import NOQA
from leak_lsp.analysis.parsing import ParsedModule
from leak_lsp.analysis.raising import bounded
from leak_lsp.analysis.text import utf8_column_to_index
from leak_lsp.rules.rule import Alarm, AwaitInPlace, Settling, WorkKind
from leak_lsp.rules.work_leaks_on_exception import QUIET_SETTLES

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][\w.]*)\}")


class FixWriter:
    def __init__(self, parsed: ParsedModule, scope: Scope) -> None:
        self.parsed = parsed
        self.lines = parsed.lines
        self.scope = scope
        self.eol = self.lines.dominant_line_ending()

    # -- public -------------------------------------------------------------------------------
    def settle_fixes(self, work: Work, result: Result, exits: list[Node], function: FunctionNode,
                     raises_between: bool = False) -> tuple[Fix, ...]:
        """``raises_between``: a call may raise before the exits, so only the ``finally`` form settles every path."""
        kind = work.kind
        if kind is None or (work.helper is not None and work.alarm is None):
            return ()  # work a helper keeps to itself is settled in the helper; a process-wide timer anywhere
        if kind.await_in_place is AwaitInPlace.ONLY:
            fix = self._await_in_place(work, function, kind.settle_title, preferred=True)
            return (fix,) if fix else ()
        settling = self._settling(work)
        if settling is not None and settling.with_title:
            with_block = self._with_block(work, function, settling.with_title, Applicability.UNSAFE)
            return (with_block,) if with_block else ()
        template = self._template(work)
        if settling is not None and settling.rewrite_as and not self._unused_call(work):
            return ()  # the call's result is used: it cannot become another object
        if work.name is None and "{handle}" in template and self._in_loop(work.statement, function) \
                and self._appended_to(work) is None:
            collected = self._collect_in_loop(work, result, exits, function)
            return (collected,) if collected else ()
        handle, binding = self._handle(work, result, exits, function) if "{handle}" in template else (None, ())
        if handle is None and "{handle}" in template:
            return ()
        statement = self._settle_held(work, handle or "", function) if "{handle}" in template \
            else self._settle_statement(work, "", function)
        if statement is None:
            return ()
        text, import_edits = statement
        title = settling.title if settling is not None and settling.title else kind.settle_title
        fixes = []
        # a buffer created at import fills until the very end: a return value computed after
        # a flush would escape it, so only the ``finally`` form is right
        before = self._before_exits(text, work, result, exits, function) if work.statement is not None else None
        outside = self._leaves_a_with_block(work, exits, function)
        if before is not None and not raises_between:
            fixes.append(Fix(f"{title} before each exit it outlives", (*binding, *before, *import_edits),
                             Applicability.UNSAFE if outside else Applicability.SAFE, preferred=not outside))
        wrapped = self._try_finally(text, work, function)
        if wrapped is not None:
            fixes.append(Fix(f"{title} in a `finally` block", (*binding, wrapped, *import_edits),
                             Applicability.SAFE, preferred=before is None or raises_between))
        if self._owned_executor(work, function) is not None:
            with_block = self._with_block(work, function, "Use the executor in a `with` block", Applicability.SAFE)
            if with_block is not None:
                fixes.append(with_block)
        if kind.await_in_place is AwaitInPlace.ALSO and work.name is None and settling is None:
            fix = self._await_in_place(work, function, f"{kind.settle_title} where it is created", preferred=False)
            if fix:
                fixes.append(fix)
        return tuple(fixes)

    def finally_fixes(self, work: Work, function: FunctionNode) -> tuple[Fix, ...]:
        """EL902: the statements from just after the work starts down to its settle go into a ``try``,
        and the settle into its ``finally``. The normal path runs the same statements in the same order;
        an exception now settles the work on its way out."""
        found = self._settled_after(work, function)
        if found is None or work.kind is None:
            return ()
        kind, (between, settle) = work.kind, found
        indent, unit = self._indent(between[0].lineno - 1), self._indent_unit(function)
        first_line = min([between[0].lineno, *(d.lineno for d in getattr(between[0], "decorator_list", []))]) - 1
        last_line = (settle.end_lineno or settle.lineno) - 1
        if isinstance(settle, ast.Expr) and (self._settle_call(work, settle.value) or _awaits(work, settle.value)):
            # moved as the user wrote it
            body, final, quiet = self._reindented(first_line, settle.lineno - 2, unit), \
                self._reindented(settle.lineno - 1, last_line, unit), _quiet(kind, settle.value)
            imports: tuple[TextEdit, ...] = ()
            title = f"Move the `{_called(settle.value)}` into a `finally` around the calls that can raise"
        else:  # the settle is part of a larger statement: it stays, and a settle of the kind is added
            statement = self._settle_held(work, work.name or "", function) if work.name else \
                self._settle_statement(work, "", function) if work.alarm is not None else None
            if statement is None:
                return ()
            text, imports = statement
            body, final = self._reindented(first_line, last_line, unit), self._statement_lines(text, indent + unit)
            # a branch or loop that settles on some turns now also settles at its end on the others: unsafe
            quiet = "\n" not in text and _quiet(kind, ast.parse(text).body[0]) and not hasattr(settle, "body")
            settle_title = kind.settle_title or f"Settle the {kind.noun}"
            title = f"Also {settle_title[0].lower()}{settle_title[1:]} in a `finally` around the calls that can raise"
        new = f"{indent}try:{self.eol}{body}{indent}finally:{self.eol}{final}"
        return (Fix(title, (TextEdit(self._line_range(first_line, last_line), new), *imports),
                    Applicability.SAFE if quiet else Applicability.UNSAFE, preferred=quiet),)

    def _settled_after(self, work: Work, function: FunctionNode) -> tuple[list[ast.stmt], ast.stmt] | None:
        """The statements between the work's start and its settle, and the settling statement, when a
        ``try`` can hold them: the settle follows in the same block (no ``with``, loop or branch boundary
        between them), something sits in between, and nothing in between leaves the block early (a
        ``return`` or ``break``, where the ``finally`` would add a settle). A bounded settle gives up in a
        ``finally`` too: it gets nothing. Work that exists before the handler runs (a buffer filled since
        import) is pending from its first statement."""
        kind, started = work.kind, work.statement
        if kind is None or kind.inert or work.helper is not None and work.name is None:
            return None  # kept by a helper: settled there
        if started is None:
            after = _without_docstring(function.body)
        else:
            block = _block_of(started, function)
            if block is None or not self._alone_on_lines(started):
                return None
            after = block[block.index(started) + 1 :]
        at = next((index for index, statement in enumerate(after) if self._settles(work, statement)), None)
        if not at or after[0].lineno <= function.lineno:  # None: no settle here; 0: nothing can raise between
            return None
        between, settle = after[:at], after[at]
        if not all(self._starts_line(statement) for statement in between) or not self._alone_on_lines(settle) \
                or any(_leaves(statement) for statement in between) \
                or any(isinstance(node, ast.Call) and bounded(node) for node in ast.walk(settle)):
            return None
        return between, settle

    def _settles(self, work: Work, statement: ast.stmt) -> bool:
        """Whether a statement settles the work anywhere in it (a call, an ``await`` of its name), not counting
        the functions it defines: they settle nothing until called."""
        for node in _outside_definitions(statement):
            if isinstance(node, ast.Call) and self._settle_call(work, node):
                return True
            if _awaits(work, node):
                return True
        return False

    def _disarms(self, alarm: Alarm, call: ast.Call, qualified: str, slot: str | None) -> bool:
        """``signal.alarm(0)`` disarms the slot of ``signal.setitimer(signal.ITIMER_REAL, 1.5)`` too."""
        index = alarm.seconds_argument
        seconds = call.args[index] if index is not None and len(call.args) > index else None
        disarms = qualified == alarm.cancel or qualified == alarm.arm and isinstance(seconds, ast.Constant) \
            and seconds.value == 0
        if alarm.slot is not None:
            return disarms and alarm.slot == slot
        return disarms and bool(call.args) and self.scope.qualify(call.args[0]) == slot

    def _settle_call(self, work: Work, node: ast.AST) -> bool:
        """``handle.join()``, ``wait([handle])``, ``owner.shutdown()``, or a disarm of the work's alarm slot."""
        kind = work.kind
        if kind is None or not isinstance(node, ast.Call):
            return False
        qualified = self.scope.qualify(node.func) or ""
        if work.alarm is not None:
            return any(self._disarms(alarm, node, qualified, work.slot) for alarm in kind.alarms)
        func, owner = node.func, work.owner.name if work.owner is not None else ""
        if isinstance(func, ast.Attribute) and func.attr in kind.flushed_by:
            return True  # a buffer's flush, whatever the receiver: ``trace.get_tracer_provider().force_flush()``
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            if func.value.id == work.name and func.attr in kind.settle_methods:
                return True
            if owner and func.value.id == owner and func.attr in kind.receiver_settles \
                    and not any(k.arg == "wait" and isinstance(k.value, ast.Constant) and k.value.value is False
                                for k in node.keywords):  # ``shutdown(wait=False)`` waits for nothing
                return True
        return qualified in kind.settle_functions and any(
            isinstance(inner, ast.Name) and inner.id == work.name for argument in node.args for inner in ast.walk(argument))

    def _collect_in_loop(self, work: Work, result: Result, exits: list[Node], function: FunctionNode) -> Fix | None:
        """Work started on every turn of a loop goes into a list made before the loop,
        and each element is settled before every exit: ``futures.append(pool.submit(...))``."""
        kind, statement = work.kind, work.statement
        loop = self._innermost_loop(statement, function)
        if kind is None or loop is None or not isinstance(statement, ast.Expr) or statement.value is not work.node:
            return None
        if not self._starts_line(loop) or not self._starts_line(statement) or self._in_loop(loop, function):
            return None
        item = self._fresh_name(self._handle_name(work))
        container = self._fresh_name(_plural(self._handle_name(work)))
        settle = self._settle_statement(work, item, function)
        created = self._created(work)
        if settle is None or created is None:
            return None
        text, import_edits = settle
        creation, started, creation_imports = created
        before = self._before_exits(self._for_each(item, container, text, function), work, result, exits, function)
        if before is None:
            return None
        start = self._insert(loop.lineno - 1, 0, f"{self._indent(loop.lineno - 1)}{container} = []{self.eol}")
        if started:
            separator = self.eol + self._indent(statement.lineno - 1)  # ``Thread(...).start()`` returns nothing
            collect = f"{item} = {creation}{separator}{item}.start(){separator}{container}.append({item})"
        else:
            collect = f"{container}.append({creation})"
        append = TextEdit(self.span(statement), collect)
        return Fix(f"Collect the {kind.noun}s in `{container}` and settle each before every exit",
                   (start, append, *before, *import_edits, *creation_imports), Applicability.SAFE, preferred=True)

    def _settle_held(self, work: Work, handle: str, function: FunctionNode
                     ) -> tuple[str, tuple[TextEdit, ...]] | None:
        """The settling of the work ``handle`` holds: itself, each element of a list, each value of a dict."""
        shape = self._shape(work)
        if shape is None:
            return None
        if shape == "itself":
            return self._settle_statement(work, handle, function)
        item = self._fresh_name(self._handle_name(work))
        settle = self._settle_statement(work, item, function)
        if settle is None:
            return None
        text, imports = settle
        container = f"{handle}.values()" if shape == "values" else handle
        return self._for_each(item, container, text, function), imports

    def _for_each(self, item: str, container: str, text: str, function: FunctionNode) -> str:
        unit = self._indent_unit(function)
        return f"for {item} in {container}:\n{unit}" + text.replace("\n", "\n" + unit)

    def _shape(self, work: Work) -> str | None:
        """How the work's name holds it: ``itself``, as an element (``each``) or a dict's ``values``;
        None when the fix cannot know (``a, b = submit(), submit()``)."""
        statement, node = work.statement, work.node
        if self._appended_to(work) is not None:
            return "each"
        if work.name is None or statement is None or work.slot is not None:
            return "itself"
        value = statement.value if isinstance(statement, (ast.Assign, ast.AnnAssign, ast.Expr)) else None
        parent = self.parsed.index.parents.get(id(node))
        if value is node or (isinstance(parent, ast.Await) and parent is value):
            return "itself" if not isinstance(statement, ast.Assign) or len(statement.targets) == 1 \
                and isinstance(statement.targets[0], ast.Name) else None
        if parent is not value or not isinstance(statement, (ast.Assign, ast.AnnAssign)):
            return None
        if isinstance(parent, (ast.ListComp, ast.SetComp)) and parent.elt is node \
                or isinstance(parent, (ast.List, ast.Tuple, ast.Set)) and node in parent.elts:
            return "each"
        if isinstance(parent, ast.DictComp) and parent.value is node \
                or isinstance(parent, ast.Dict) and any(v is node for v in parent.values):
            return "values"
        return None

    def _bound_before(self, name: str, statement: ast.stmt | None, function: FunctionNode) -> bool:
        """Whether a top-level statement of the body binds ``name`` before the one holding
        ``statement``: then it is bound at every exit after it, even if a loop never ran."""
        top = next((node for node in [statement, *self.parsed.index.ancestors(statement)] if node in function.body), None) \
            if statement is not None else None
        if top is None:
            return False
        before = function.body[: function.body.index(top)]
        return any(isinstance(s, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in s.targets)
                   for s in before)

    def _appended_to(self, work: Work) -> str | None:
        """``futures`` when the statement is ``futures.append(<the work>)`` (or ``add``, ``appendleft``)."""
        statement, node = work.statement, work.node
        call = statement.value if isinstance(statement, ast.Expr) else None
        if isinstance(call, ast.Call) and any(argument is node for argument in call.args) \
                and isinstance(call.func, ast.Attribute) and call.func.attr in {"append", "appendleft", "add"} \
                and isinstance(call.func.value, ast.Name) and work.name in (None, call.func.value.id):
            return call.func.value.id
        return None

    def _settling(self, work: Work) -> Settling | None:
        """What the creating call says about settling its work, where the kind's default is wrong."""
        call = work.node
        if work.kind is None or work.alarm is not None or not isinstance(call, ast.Call):
            return None
        origins = [self.scope.qualify(call.func) or "", call.func.attr if isinstance(call.func, ast.Attribute) else ""]
        return next((s for origin in origins for s in work.kind.settlings if origin and s.origin == origin), None)

    def _handle_name(self, work: Work) -> str:
        settling = self._settling(work)
        if settling is not None and settling.handle_name:
            return settling.handle_name
        return work.kind.handle_name if work.kind else "work"

    def _template(self, work: Work) -> str:
        assert work.kind is not None
        if work.alarm is not None:
            return work.alarm.disarm
        settling = self._settling(work)
        return settling.template if settling is not None else work.kind.settle_template

    def _unused_call(self, work: Work) -> bool:
        return isinstance(work.statement, ast.Expr) and work.statement.value is work.node

    def _created(self, work: Work) -> tuple[str, bool, tuple[TextEdit, ...]] | None:
        """The expression creating the work as a fix writes it, whether it must then be started,
        and the imports it needs: ``_thread.start_new_thread(f, ())`` becomes
        ``threading.Thread(target=f, args=())``, to be started."""
        call = work.node
        if not isinstance(call, ast.Call):
            return None
        if isinstance(call.func, ast.Attribute) and call.func.attr == "start" and isinstance(call.func.value, ast.Call):
            return self._source(call.func.value), True, ()
        settling = self._settling(work)
        if settling is None or not settling.rewrite_as:
            return self._source(call), False, ()
        if call.keywords or len(call.args) > len(settling.rewrite_keywords) \
                or any(isinstance(argument, ast.Starred) for argument in call.args):
            return None
        constructor, needed = self.scope.render(settling.rewrite_as.strip("{}"))
        arguments = ", ".join(f"{keyword}={self._source(argument)}"
                              for keyword, argument in zip(settling.rewrite_keywords, call.args))
        return f"{constructor}({arguments})", True, (self._import(needed),) if needed else ()

    def noqa_fix(self, line: int, code: str) -> Fix:
        """``# noqa: CODE`` on the line, merged into an existing noqa comment."""
        title = f"Suppress {code} with `# noqa`"
        text = self.lines.line(line)
        match = NOQA.search(text)
        if match and match.group("codes"):
            return Fix(title, (self._insert(line, match.end("codes"), f", {code}"),), Applicability.DISPLAY)
        if line in self.parsed.index.string_lines:
            return Fix(title, (), Applicability.DISPLAY)
        stripped = len(text.rstrip())
        return Fix(title, (self._replace(line, stripped, line, len(text), f"  # noqa: {code}"),), Applicability.DISPLAY)

    # -- the handle ------------------------------------------------------------------------------
    def _handle(self, work: Work, result: Result, exits: list[Node], function: FunctionNode
                ) -> tuple[str | None, tuple[TextEdit, ...]]:
        """The name that reaches the work at every exit, binding an unnamed expression if needed."""
        site = result.sites.index(work)
        instances = [names for node in exits for s, names in result.exit_states.get(node.id, ()) if s == site]
        if work.slot is not None:
            return (work.name, ()) if work.statement is None and work.alarm is None else (None, ())
        container = self._appended_to(work) if work.name is None else None
        if container is not None:  # ``futures.append(pool.submit(...))``
            if instances and all(variable(container) in names for names in instances) \
                    and self._bound_before(container, work.statement, function):
                return container, ()
            return None, ()
        if work.name is not None:
            if instances and all(variable(work.name) in names for names in instances) and self._dominates(work, result, exits):
                return work.name, ()
            return None, ()
        statement = work.statement
        settling = self._settling(work)
        rewritten = settling is not None and bool(settling.rewrite_as)  # names it reaches are only its arguments
        if not isinstance(statement, ast.Expr) or self._in_loop(statement, function) or (any(instances) and not rewritten):
            return None, ()
        name = self._fresh_name(self._handle_name(work))
        edits = self._bind(work, statement, name)
        return (name, edits) if edits is not None else (None, ())

    def _bind(self, work: Work, statement: ast.Expr, name: str) -> tuple[TextEdit, ...] | None:
        """``Thread(...).start()`` becomes ``thread = Thread(...)`` then ``thread.start()``.

        A statement sharing its line with others (``a = 1; Thread(...).start()``) keeps to
        one line, joined with semicolons, so nothing around it moves.
        """
        created = self._created(work) if statement.value is work.node else None
        if created is None:
            return None
        creation, started, imports = created
        separator = f"{self.eol}{self._indent(statement.lineno - 1)}" if self._starts_line(statement) else "; "
        text = f"{name} = {creation}{separator}{name}.start()" if started else f"{name} = {creation}"
        return (TextEdit(self.span(statement), text), *imports)

    def _settle_statement(self, work: Work, handle: str, function: FunctionNode) -> tuple[str, tuple[TextEdit, ...]] | None:
        template = self._template(work)
        is_async = isinstance(function, ast.AsyncFunctionDef)
        owner = work.owner
        if "{owner}" in template and not (owner and owner.nameable):
            return None
        if template.startswith("await") and not is_async and owner and owner.held is Held.MODULE:
            template = owner.name + ".run_until_complete({handle})"  # drive the module's loop
        if not template or (template.startswith("await") and not is_async):
            return None
        imports: list[str] = []

        def render(match: re.Match[str]) -> str:
            key = match.group(1)
            if key == "handle":
                return handle
            if key == "owner":
                return owner.name if owner else ""
            if key == "slot":
                if work.slot_source is not None:
                    return work.slot_source
                text, needed = self.scope.render(work.slot or "")
            else:
                text, needed = self.scope.render(key)
            if needed:
                imports.append(needed)
            return text

        text = _PLACEHOLDER.sub(render, template)
        return text, tuple(self._import(statement) for statement in dict.fromkeys(imports))

    # -- the edits --------------------------------------------------------------------------------
    def _before_exits(self, text: str, work: Work, result: Result, exits: list[Node], function: FunctionNode
                      ) -> tuple[TextEdit, ...] | None:
        if work.slot is None and work.name is not None and not self._dominates(work, result, exits):
            return None
        edits: dict[tuple[int, int], TextEdit] = {}
        for node in exits:
            stmt = node.stmt
            if node.exit_kind == "end":
                edit = self._after_last_statement(function, text)
            elif isinstance(stmt, ast.Return) and stmt.value is not None and _does_work(stmt.value):
                edit = self._settle_after_value(stmt, text)
            elif isinstance(stmt, (ast.Return, ast.Raise)) and self._starts_line(stmt):
                line = stmt.lineno - 1
                edit = self._insert(line, 0, self._statement_lines(text, self._indent(line)))
            else:
                return None
            if edit is None:
                return None
            edits[(edit.span.start.line, edit.span.start.column)] = edit
        return tuple(edits.values()) or None

    def _settle_after_value(self, stmt: ast.Return, text: str) -> TextEdit | None:
        """``return fetch(event)`` becomes ``result = fetch(event)``, the settling, ``return result``:
        settling first would cancel a guard, or flush a buffer, before the work it covers."""
        if not self._alone_on_lines(stmt) or stmt.value is None:
            return None
        indent = self._indent(stmt.lineno - 1)
        result = self._fresh_name("result")
        new = (f"{result} = {self._source(stmt.value)}{self.eol}"
               f"{self._statement_lines(text, indent)}{indent}return {result}")
        return TextEdit(Span(Position(stmt.lineno - 1, len(indent)), self.span(stmt).end), new)

    def _after_last_statement(self, function: FunctionNode, text: str) -> TextEdit | None:
        first, last = function.body[0], function.body[-1]
        if not self._starts_line(first) or first.lineno == function.lineno:
            return None
        indent = self._indent(first.lineno - 1)
        end_line = (last.end_lineno or last.lineno) - 1
        if end_line + 1 < self.lines.line_count:
            return self._insert(end_line + 1, 0, self._statement_lines(text, indent))
        return self._insert(end_line, len(self.lines.line(end_line)), self.eol + self._statement_lines(text, indent).rstrip("\r\n"))

    def _try_finally(self, text: str, work: Work, function: FunctionNode) -> TextEdit | None:
        rest = self._rest_of_body(work.statement, function)
        if rest is None:
            return None
        first_line, last_line, indent, unit = rest
        body = self._reindented(first_line, last_line, unit)
        new = (f"{indent}try:{self.eol}{body}{indent}finally:{self.eol}"
               f"{self._statement_lines(text, indent + unit)}")
        return TextEdit(self._line_range(first_line, last_line), new)

    def _owned_executor(self, work: Work, function: FunctionNode) -> ast.Assign | None:
        """``executor = ThreadPoolExecutor()`` in the body, the executor this work went to."""
        owner = work.owner
        if owner is None or owner.held is not Held.LOCAL or work.kind is None or not work.kind.with_settles:
            return None
        name = owner.name
        return next((s for s in function.body if isinstance(s, ast.Assign) and len(s.targets) == 1
                     and isinstance(s.targets[0], ast.Name) and s.targets[0].id == name
                     and isinstance(s.value, ast.Call)
                     and (self.scope.qualify(s.value.func) or "").endswith("PoolExecutor")), None)

    def _with_block(self, work: Work, function: FunctionNode, title: str, applicability: Applicability) -> Fix | None:
        """``name = manager(...)`` and the rest of the body become ``with manager(...) as name:``
        and the rest, indented: for the executor the work went to, or a context manager creating it."""
        creation = self._owned_executor(work, function)
        if creation is None and isinstance(work.statement, ast.Assign) and work.statement.value is work.node \
                and self._shape(work) == "itself":
            creation = work.statement
        rest = self._rest_of_body(creation, function) if creation is not None else None
        if creation is None or rest is None or not self._alone_on_lines(creation):
            return None
        target = creation.targets[0]
        assert isinstance(target, ast.Name)
        first_line, last_line, indent, unit = rest
        header = f"{indent}with {self._source(creation.value)} as {target.id}:{self.eol}"
        span = Span(Position(creation.lineno - 1, 0), self._line_range(first_line, last_line).end)
        return Fix(title, (TextEdit(span, header + self._reindented(first_line, last_line, unit)),), applicability)

    def _await_in_place(self, work: Work, function: FunctionNode, title: str, preferred: bool) -> Fix | None:
        statement = work.statement
        if not isinstance(function, ast.AsyncFunctionDef) or not isinstance(statement, (ast.Expr, ast.Assign)):
            return None
        if statement.value is not work.node:
            return None
        start = self.span(work.node).start
        return Fix(title, (TextEdit(Span(start, start), "await "),), Applicability.SAFE, preferred=preferred)

    # -- text helpers -------------------------------------------------------------------------------
    def _rest_of_body(self, statement: ast.stmt | None, function: FunctionNode) -> tuple[int, int, str, str] | None:
        """The lines after a top-level statement of the body (all of it, after any docstring,
        for work that exists before the function starts), its indentation and the file's unit."""
        body = function.body
        if statement is None:
            has_docstring = isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                and isinstance(body[0].value.value, str)
            rest = body[1:] if has_docstring else body
            anchor = rest[0] if rest else None
        elif statement in body:
            rest = body[body.index(statement) + 1 :]
            anchor = statement
        else:
            return None
        if not rest or anchor is None or not all(self._starts_line(s) for s in rest) or not self._starts_line(anchor):
            return None
        first_line = min([rest[0].lineno, *(d.lineno for d in getattr(rest[0], "decorator_list", []))]) - 1
        last_line = (rest[-1].end_lineno or rest[-1].lineno) - 1
        if statement is not None and first_line <= (statement.end_lineno or statement.lineno) - 1:
            return None  # ``a(); b()`` on one line
        if first_line + 1 <= function.lineno:
            return None  # ``def f(): body`` on one line
        return first_line, last_line, self._indent(anchor.lineno - 1), self._indent_unit(function)

    def _reindented(self, first_line: int, last_line: int, unit: str) -> str:
        pieces = []
        for number in range(first_line, last_line + 1):
            line = self.lines.line(number)
            inside_string = (number - 1) in self.parsed.index.string_lines
            pieces.append((line if not line.strip() or inside_string else unit + line) + self.eol)
        return "".join(pieces)

    def _line_range(self, first_line: int, last_line: int) -> Span:
        if last_line + 1 < self.lines.line_count:
            return Span(Position(first_line, 0), Position(last_line + 1, 0))
        return Span(Position(first_line, 0), Position(last_line, len(self.lines.line(last_line))))

    def _statement_lines(self, text: str, indent: str) -> str:
        return "".join(f"{indent}{line}{self.eol}" for line in text.split("\n"))

    def _import(self, statement: str) -> TextEdit:
        tree_body = self.parsed.tree.body
        anchor = None
        for node in tree_body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                anchor = node
            elif anchor is not None or not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
                break
        if anchor is None:
            first = next((n for n in tree_body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))), None)
            line = first.lineno - 1 if first is not None else 0
            return self._insert(line, 0, statement + self.eol)
        line = (anchor.end_lineno or anchor.lineno)
        if line < self.lines.line_count:
            return self._insert(line, 0, statement + self.eol)
        return self._insert(line - 1, len(self.lines.line(line - 1)), self.eol + statement)

    def _fresh_name(self, base: str) -> str:
        taken = self._identifiers
        if base not in taken:
            return base
        number = 2
        while f"{base}_{number}" in taken:
            number += 1
        return f"{base}_{number}"

    @cached_property
    def _identifiers(self) -> set[str]:
        names = set(self.scope.imports) | set(dir(builtins))
        for node in ast.walk(self.parsed.tree):
            if isinstance(node, ast.Name):
                names.add(node.id)
            elif isinstance(node, ast.arg):
                names.add(node.arg)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.alias):
                names.add((node.asname or node.name).split(".")[0])
        return names

    def _dominates(self, work: Work, result: Result, exits: list[Node]) -> bool:
        """Whether every path from the entry to these exits goes through the creating statement."""
        if work.statement is None:
            return True  # created before the handler runs
        graph = result.graph
        seen = {0}
        stack = [0]
        targets = {node.id for node in exits}
        while stack:
            node = graph.nodes[stack.pop()]
            if node.id in targets:
                return False
            if node.stmt is work.statement and node.id != 0:
                continue
            for successor, _ in node.successors:
                if successor not in seen:
                    seen.add(successor)
                    stack.append(successor)
        return True

    def _leaves_a_with_block(self, work: Work, exits: list[Node], function: FunctionNode) -> bool:
        """Whether settling at some exit happens after a ``with`` around the creation has closed.

        The work may use what the block manages (a client session, a file): waiting after
        it closed changes behaviour, so such a fix is unsafe.
        """
        if work.statement is None:
            return False  # created before the handler runs: no block of the handler is around it
        if not any(isinstance(node, (ast.With, ast.AsyncWith)) for node in all_statements(function)):
            return False  # no block at all (most functions): no map of the parents of its every node
        parents = {id(child): node for node in ast.walk(function) for child in ast.iter_child_nodes(node)}
        blocks = [node for node in _ancestors(work.statement, parents) if isinstance(node, (ast.With, ast.AsyncWith))]
        for exit_node in exits:
            inside = exit_node.exit_kind != "end" and all(
                block in _ancestors(exit_node.stmt, parents) for block in blocks)
            if blocks and not inside:
                return True
        return False

    def _in_loop(self, statement: ast.AST | None, function: FunctionNode) -> bool:
        return statement is not None and self._innermost_loop(statement, function) is not None

    def _innermost_loop(self, statement: ast.AST | None, function: FunctionNode) -> ast.For | ast.AsyncFor | ast.While | None:
        """Found by walking the function, not through the module's parent index: the nodes may come from
        an earlier text of the module (an incremental analysis keeps an unchanged function's nodes)."""
        stack: list[tuple[ast.AST, ast.For | ast.AsyncFor | ast.While | None]] = [(function, None)]
        while stack:
            node, loop = stack.pop()
            if node is statement:
                return loop
            inner = node if isinstance(node, (ast.For, ast.AsyncFor, ast.While)) else loop
            stack.extend((child, inner) for child in ast.iter_child_nodes(node))
        return None

    def _indent_unit(self, function: FunctionNode) -> str:
        """One level of indentation as this function writes it."""
        inner, outer = self._indent(function.body[0].lineno - 1), self._indent(function.lineno - 1)
        return inner[len(outer):] if inner.startswith(outer) and len(inner) > len(outer) else "    "

    def _starts_line(self, node: ast.stmt) -> bool:
        line = self.lines.line(node.lineno - 1)
        return not line[: utf8_column_to_index(line, node.col_offset)].strip()

    def _alone_on_lines(self, node: ast.stmt) -> bool:
        if not self._starts_line(node):
            return False
        end = self.span(node).end
        rest = self.lines.line(end.line)[end.column :].strip()
        return not rest or rest.startswith("#")

    def _indent(self, line: int) -> str:
        text = self.lines.line(line)
        return text[: len(text) - len(text.lstrip(" \t\f"))].replace("\f", "")

    def span(self, node: ast.AST) -> Span:
        return self.parsed.span(node)

    def _source(self, node: ast.AST) -> str:
        span = self.span(node)
        return self.lines.text[self.lines.offset(span.start): self.lines.offset(span.end)]

    def _insert(self, line: int, column: int, text: str) -> TextEdit:
        position = Position(line, column)
        return TextEdit(Span(position, position), text)

    def _replace(self, line: int, column: int, end_line: int, end_column: int, text: str) -> TextEdit:
        return TextEdit(Span.of(line, column, end_line, end_column), text)


def _leaves(node: ast.AST, in_loop: bool = False) -> bool:
    """Whether a statement may leave the block it is in early: a ``return``, a ``yield``, or a ``break``
    or ``continue`` of an enclosing loop (those of its own loops stay inside it). A ``finally`` around
    it would add a settle there."""
    if isinstance(node, (ast.Return, ast.Yield, ast.YieldFrom)):
        return True
    if isinstance(node, (ast.Break, ast.Continue)):
        return not in_loop
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
        return False
    loop_body = node.body if isinstance(node, (ast.For, ast.AsyncFor, ast.While)) else []
    return any(_leaves(child, in_loop or any(child is inner for inner in loop_body))
               for child in ast.iter_child_nodes(node))


def _block_of(statement: ast.stmt, function: FunctionNode) -> list[ast.stmt] | None:
    """The statement list holding a statement: a function body, a branch, a loop body."""
    for node in ast.walk(function):
        for _, value in ast.iter_fields(node):
            if isinstance(value, list) and any(item is statement for item in value):
                return value
    return None


def _outside_definitions(statement: ast.stmt) -> list[ast.AST]:
    """The nodes of a statement, without the bodies of the functions and lambdas it defines."""
    found: list[ast.AST] = []
    stack: list[ast.AST] = [statement]
    while stack:
        node = stack.pop()
        found.append(node)
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            stack.extend(ast.iter_child_nodes(node))
    return found


def _awaits(work: Work, node: ast.AST) -> bool:
    """``await task``: the work's own name awaited."""
    return isinstance(node, ast.Await) and isinstance(node.value, ast.Name) and node.value.id == work.name \
        and work.kind is not None and work.kind.awaitable


def _called(settle: ast.expr) -> str:
    """``join()`` for ``heart.join()``, ``alarm()`` for ``signal.alarm(0)``, ``await``: how a title names a settle."""
    if isinstance(settle, ast.Await):
        return "await"
    func = settle.func if isinstance(settle, ast.Call) else settle
    return (func.attr if isinstance(func, ast.Attribute) else ast.unparse(func)) + "()"


def _quiet(kind: WorkKind, settle: ast.AST) -> bool:
    """A settle that cannot raise once the work started (``thread.join()``, ``timer.cancel()``,
    ``signal.alarm(0)``): in a ``finally`` it never replaces the exception on its way out."""
    call = settle.value if isinstance(settle, ast.Expr) else settle
    if not isinstance(call, ast.Call):
        return False
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    plain = bool(kind.alarms) or not call.args and not call.keywords  # a disarm names its slot and seconds
    return plain and (kind.name, name) in QUIET_SETTLES


def _without_docstring(body: list[ast.stmt]) -> list[ast.stmt]:
    first = body[0] if body else None
    docstring = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str)
    return body[1:] if docstring else body


def _plural(name: str) -> str:
    if name.endswith("s") and not name.endswith("ss"):
        return f"all_{name}"  # ``results`` is already plural
    return name + ("es" if name.endswith(("sh", "ch", "x")) else "s")


def _does_work(expression: ast.expr) -> bool:
    """Whether computing a value may run code the settling must come after."""
    return any(isinstance(node, (ast.Call, ast.Await, ast.Yield, ast.YieldFrom)) for node in ast.walk(expression))


def _ancestors(node: object, parents: dict[int, ast.AST]) -> list[ast.AST]:
    """A node's ancestors inside one function (a parent map of the function, not of the module: its
    nodes may come from an earlier text of the module)."""
    chain = []
    while id(node) in parents:
        node = parents[id(node)]
        chain.append(node)
    return chain
