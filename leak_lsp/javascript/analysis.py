"""One JavaScript/TypeScript module's analysis: handlers, helpers, findings.

Each handler is lowered to effects (:mod:`leak_lsp.javascript.calls`), run through the
language-neutral core (:mod:`leak_lsp.flow`), and the work pending at the exits that end
the invocation for its shape becomes findings of the shared rules.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from leak_lsp.analysis.config import Settings
from leak_lsp.analysis.model import (
    FileReport,
    Finding,
    Fix,
    Fixer,
    FixRecipe,
    Handler,
    Related,
    RelatedRole,
    Severity,
    SourceProblem,
)
from leak_lsp.flow import ExitHit, ExitRole, FlowResult, Start, Work, run
from leak_lsp.javascript import catalogue
from leak_lsp.javascript.calls import DONE_METHODS, PARAMETER, CalleeSummary, CallLowering, root_name
from leak_lsp.javascript.deployment import deployed_handlers
from leak_lsp.javascript.fixes import fixes_for
from leak_lsp.javascript.handlers import (
    JsHandler,
    Shape,
    class_member,
    declared_parameters,
    discover,
    method_of,
    parameter_names,
)
from leak_lsp.javascript.imports import ModuleLoader
from leak_lsp.javascript.lowering import Role
from leak_lsp.javascript.module import ModuleFacts, constructed_class, is_async, module_facts
from leak_lsp.javascript.suppression import suppressed_codes
from leak_lsp.javascript.syntax import FUNCTION_TYPES, Node, ParsedSource, dotted, field, unwrap, walk
from leak_lsp.rules import rule_for

if TYPE_CHECKING:
    from leak_lsp.project.workspace import Workspace

_ROLE_CODES = {ExitRole.CALLBACK: "EL151", ExitRole.DONE: "EL152", ExitRole.RESPONSE: "EL153", ExitRole.REJECT: "EL902"}
_COUNTED = {
    Shape.PROMISE: frozenset({ExitRole.RETURN, ExitRole.THROW, ExitRole.END, ExitRole.DONE, ExitRole.REJECT}),
    Shape.AZURE: frozenset({ExitRole.RETURN, ExitRole.THROW, ExitRole.END, ExitRole.DONE, ExitRole.REJECT}),
    Shape.CALLBACK: frozenset({ExitRole.THROW, ExitRole.CALLBACK, ExitRole.DONE}),
    Shape.HTTP: frozenset({ExitRole.RESPONSE, ExitRole.THROW, ExitRole.REJECT}),
}
_INIT_KINDS = frozenset({"timer", "interval", "process", "worker"})
# A timer armed at init is not an invocation leak (NODE.md §1.5, a decision): information only.
_INFO_AT_INIT = frozenset({"timer", "interval"})
_AZURE_CONSEQUENCE = "no freeze: it keeps running untracked alongside later invocations and may be killed"
_VERBS = {
    ExitRole.RETURN: "returns", ExitRole.THROW: "throws", ExitRole.END: "reaches its end",
    ExitRole.CALLBACK: "calls back", ExitRole.RESPONSE: "sends the response",
}  # fmt: skip
_REJECTS = "the promise awaited"  # EL902's exits: "if the promise awaited on line 5 rejects"


def analyze_javascript(source: str, path: str, settings: Settings, workspace: Workspace | None = None,
                       parsed: ParsedSource | None = None, fixes: bool = True) -> FileReport:
    """The report of one module; ``parsed`` is its text already parsed (by an incremental re-parse).
    Without ``fixes``, findings carry a recipe instead of their settle fixes (see :func:`report_and_fixer`)."""
    return report_and_fixer(parsed or ParsedSource(source, path), settings, workspace, fixes)[0]


def report_and_fixer(parsed: ParsedSource, settings: Settings, workspace: Workspace | None,
                     fixes: bool) -> tuple[FileReport, Fixer | None]:
    """The report, and without ``fixes`` what builds a finding's settle fixes from its recipe when a
    code action asks (most findings are never fixed from the editor)."""
    module = JsModule(parsed, settings, ModuleLoader(workspace), fixes)
    try:
        return module.report(), None if fixes else module.kept_fixes
    except RecursionError:
        problem = SourceProblem("the file is nested too deeply to analyse")
        return FileReport(parsed.path, problems=[problem], analysed=False), None


def fixes_for_recipe(source: str, recipe: FixRecipe, settings: Settings, path: str,
                     workspace: Workspace | None = None) -> tuple[Fix, ...]:
    """The fixes of the finding a recipe describes, from a fresh analysis with fixes (none when it is gone)."""
    report = analyze_javascript(source, path, settings, workspace)
    found = (f.fixes for f in report.findings if (f.code, f.span, f.handler) == (recipe.code, recipe.span, recipe.handler))
    return next(found, ())


@dataclass(frozen=True)
class _Target:
    handler: JsHandler
    role: Role
    counted: frozenset[ExitRole]


class JsModule:
    def __init__(self, parsed: ParsedSource, settings: Settings, loader: ModuleLoader, compute_fixes: bool = True) -> None:
        self.path = parsed.path
        self.settings = settings
        self.loader = loader
        self.compute_fixes = compute_fixes
        # without ``compute_fixes``: what builds each finding's fixes, by its recipe (``kept_fixes``)
        self._fix_inputs: dict[FixRecipe, tuple[str, Work, list[ExitHit], JsHandler, CallLowering]] = {}
        self.parsed = parsed
        self.facts: ModuleFacts = module_facts(self.parsed)
        self._summaries: dict[int, CalleeSummary | None] = {}
        self._instances_by_function: dict[int, dict[str, str | None]] = {}
        self._in_progress: set[int] = set()

    # -- the report ------------------------------------------------------------------------
    def report(self) -> FileReport:
        deployment = deployed_handlers(self.path, self.loader.workspace)
        deployed, runtime = deployment.names, deployment.runtime
        handlers = discover(self.facts, self.settings.configured_handlers(self.path), tuple(deployed))
        findings = [finding for handler in handlers for finding in self._handler_findings(handler, runtime)]
        findings += [finding for handler in handlers if (finding := self._refused_at_init(handler, deployed, runtime))]
        findings += self._import_time_findings()
        suppressed = suppressed_codes(self.parsed.lines)
        kept = [f for f in findings if self.settings.is_enabled(f.code) and not _is_suppressed(f, suppressed)]
        kept.sort(key=lambda finding: (finding.span.start, finding.code))
        return FileReport(
            self.path, findings=_unique(kept), handlers=[self._handler_entry(handler) for handler in handlers],
            dependencies=sorted(self.loader.dependencies | set(deployment.origins)),
        )

    def _handler_entry(self, handler: JsHandler) -> Handler:
        return Handler(handler.name, self.parsed.first_line_span(_name_node(handler.function)), handler.platform,
                       handler.reason)

    def _handler_findings(self, handler: JsHandler, runtime: int | None) -> list[Finding]:
        target = self._target(handler, runtime)
        lowering = CallLowering(self.facts, target.role, self.summary_of_callee)
        lowering.lower_function(handler.function)
        result = run(lowering.builder.graph)
        findings = []
        in_finally = _finally_names(self.parsed, handler.function)
        for work, hits in sorted(result.pending_at.items(), key=lambda item: _in_text_order(item[0])):
            if handler.flushes_telemetry and work.kind == "buffer":
                continue
            counted = target.counted - {ExitRole.REJECT} if work.name in in_finally else target.counted
            for code, grouped in _by_code(work, hits, counted, target.role.callback is not None).items():
                findings.append(self._finding(code, work, grouped, handler, target, lowering))
        for work, hits in result.after_response.items():
            for hit in hits:
                findings.append(self._finding(_ROLE_CODES.get(hit.role, "EL153"), work, [hit], handler, target, lowering))
        return findings

    def _target(self, handler: JsHandler, runtime: int | None) -> _Target:
        params = parameter_names(self.parsed, handler.function)
        second = params[1] if len(params) > 1 else None
        if handler.shape is Shape.HTTP:
            role = Role(True, response=second, returned_is_awaited=False)
        elif handler.shape is Shape.CALLBACK:
            waits = not _sets_no_wait(self.parsed, handler.function)
            callback = params[2] or None
            role = Role(True, callback=None if waits else callback, waiting_callback=callback if waits else None,
                        context=second)
        elif handler.shape is Shape.AZURE:
            role = Role(True, context=params[0] if params else None)
        else:
            role = Role(True, context=second)
        if handler.references is not None:
            role = replace(role, references=handler.references, reference_roots=_aliases(self.parsed, handler.function, params))
        counted = _COUNTED[handler.shape]
        if runtime is not None and runtime < 24 and handler.shape is Shape.PROMISE and not is_async(handler.function) \
                and _completes_through_context(self.parsed, handler.function, second):
            counted = _COUNTED[Shape.CALLBACK]  # v3 waits for context.done, not for the end of the function (NODE.md R5)
        if runtime is not None and runtime < 24 and handler.shape is Shape.PROMISE and not handler.wrapped \
                and not handler.streaming and not is_async(handler.function) and not _returns_value(handler.function):
            counted = frozenset({ExitRole.THROW, ExitRole.DONE})  # v3 answers it when the loop is empty (NODE.md R5)
        if handler.streaming and runtime is not None and runtime < 24:  # v3 waits for the loop (NODE.md R6)
            counted = frozenset({ExitRole.DONE})
        return _Target(handler, role, counted)

    def _refused_at_init(self, handler: JsHandler, deployed: list[str], runtime: int | None) -> Finding | None:
        """EL154: nodejs24.x refuses a handler whose ``length`` is 3 or more (NODE.md §1.2); only for a
        function the deployment names, unwrapped (the runtime would see a wrapper's parameters)."""
        parameters = declared_parameters(handler.function)
        if runtime is None or runtime < 24 or handler.name not in deployed or handler.wrapped or handler.streaming \
                or len(parameters) < 3:
            return None
        rule = rule_for("EL154")
        callback = self.parsed.text(parameters[2])
        message = rule.message.format(what=handler.name, noun=f"`{callback}`", exits="", target=runtime)
        return Finding("EL154", rule.name, message, self.settings.severity_of("EL154", rule.severity),
                       self.parsed.first_line_span(parameters[2]), self.path, handler=handler.name)

    # -- findings --------------------------------------------------------------------------
    def _finding(self, code: str, work: Work, hits: list[ExitHit], handler: JsHandler, target: _Target,
                 lowering: CallLowering) -> Finding:
        rule = rule_for(code)
        kind = catalogue.KINDS[work.kind]
        message = rule.render(_describe(kind.noun, work), kind.noun, self._exits_text(hits))
        if handler.shape is Shape.AZURE:
            message = message.split(";")[0] + "; " + _AZURE_CONSEQUENCE
        related = [Related(path, span, note, RelatedRole.HELPER_STEP) for path, span, note in work.via]
        related += [Related(self.path, hit.span, f"the invocation ends here while the {kind.noun} is pending",
                            RelatedRole.EXIT) for hit in hits]
        severity = self.settings.severity_of(code, rule.severity)
        finding = Finding(code, rule.name, message, severity, work.span, self.path, tuple(related), (), handler.name)
        if self.compute_fixes:
            return replace(finding, fixes=fixes_for(self.parsed, self.facts, code, work, hits, handler, lowering))
        recipe = FixRecipe(code, work.span, handler.function.start_point[0], handler.name)
        self._fix_inputs.setdefault(recipe, (code, work, hits, handler, lowering))
        return replace(finding, recipe=recipe)

    def kept_fixes(self, recipe: FixRecipe) -> tuple[Fix, ...] | None:
        """A finding's settle fixes from what its analysis kept: only this finding's edits are built."""
        kept = self._fix_inputs.get(recipe)
        return None if kept is None else fixes_for(self.parsed, self.facts, *kept)

    def _exits_text(self, hits: list[ExitHit]) -> str:
        lines: dict[str, list[int]] = defaultdict(list)
        for hit in sorted(hits):
            verb = _REJECTS if hit.role is ExitRole.REJECT else _VERBS.get(hit.role) or f"calls `{self._callee_text(hit)}()`"
            if hit.span.start.line + 1 not in lines[verb]:
                lines[verb].append(hit.span.start.line + 1)
        parts = []
        for verb, numbers in lines.items():
            shown = ", ".join(map(str, numbers[:-1])) + f" or {numbers[-1]}" if len(numbers) > 1 else str(numbers[0])
            parts.append(f"{verb} on line {shown}" + (" rejects" if verb == _REJECTS else ""))
        return ", or ".join(parts) or "returns"

    def _callee_text(self, hit: ExitHit) -> str:
        line = self.parsed.lines.line(hit.span.start.line)[hit.span.start.column :]
        return line.split("(", 1)[0].strip() or "context.done"

    def _import_time_findings(self) -> list[Finding]:
        """Timers and processes started at module level: init-phase work (NODE.md §1.5, a decision)."""
        rule = rule_for("EL301")
        findings = []
        for node in _module_level_calls(self.parsed.root):
            callee = field(node, "constructor") if node.type == "new_expression" else field(node, "function")
            qualified = self.facts.qualify(callee) or ""
            kind_name = catalogue.STARTS.get(f"new {qualified}" if node.type == "new_expression" else qualified)
            if kind_name not in _INIT_KINDS:
                continue
            kind = catalogue.KINDS[kind_name]
            noun = kind.noun[0].upper() + kind.noun[1:]
            message = rule.render(noun, kind.noun)
            span = self.parsed.first_line_span(node)
            default = Severity.INFORMATION if kind_name in _INFO_AT_INIT else rule.severity
            findings.append(Finding("EL301", rule.name, message, self.settings.severity_of("EL301", default), span, self.path))
        return findings

    # -- helpers ---------------------------------------------------------------------------
    def summary_of_callee(self, callee: Node) -> CalleeSummary | None:
        if callee.type == "member_expression" and (owner := unwrap(field(callee, "object"))) is not None \
                and owner.type == "identifier":  # ``queue.enqueue()`` on an instance, ``Metrics.schedule()`` (static)
            own_class = self.parsed.text(owner) if self.parsed.text(owner) in self.facts.classes else None
            class_name = self._instance_class(owner) or own_class
            of_method = self._method_summary(class_name, self.parsed.text(field(callee, "property"))) if class_name else None
            if of_method is not None:
                return of_method
        name = dotted(self.parsed, callee)
        if name is None or (callee.type == "member_expression" and name.split(".")[0] not in self.facts.imports
                            and not name.startswith("this.")):
            owner = unwrap(field(callee, "object")) if callee.type == "member_expression" else None
            method = method_of(self.facts, callee) if owner is not None and owner.type == "new_expression" else None
            return self.summarize(method, self.parsed.text(field(method, "name"))) if method is not None else None
        function = self.facts.functions.get(name) or _own_method(self.parsed, callee, name) \
            or _local_function(self.parsed, callee, name)
        if function is not None:
            return self.summarize(function, name)
        head, _, rest = name.partition(".")
        imported = self.facts.imports.get(head)
        if imported is None or "/" not in imported.specifier and not imported.specifier.startswith("."):
            return None  # a package name: not the project's code
        export = rest if imported.export == "*" and rest else imported.export
        if "." in export or export == "*":
            return None
        return self.loader.summary(self.path, imported.specifier, export, self.settings)

    def _instance_class(self, owner: Node) -> str | None:
        """The class ``owner`` was made from: ``const hb = new Heartbeat()`` in an enclosing function, or at module level."""
        name = self.parsed.text(owner)
        scope = owner.parent
        while scope is not None:
            if scope.type in FUNCTION_TYPES and name in (declared := self._declared_instances(scope)):
                return declared[name]
            scope = scope.parent
        return self.facts.instances.get(name)

    def _declared_instances(self, function: Node) -> dict[str, str | None]:
        """Variables a function declares -> the class each is made from (None: not ``new C()``); one walk per function."""
        if function.id not in self._instances_by_function:
            self._instances_by_function[function.id] = {
                self.parsed.text(field(node, "name")): constructed_class(self.parsed, field(node, "value"))
                for node in walk(function) if node.type == "variable_declarator"}
        return self._instances_by_function[function.id]

    def _method_summary(self, class_name: str, method: str) -> CalleeSummary | None:
        """``queue.enqueue()``: the method of the instance's class, in this module or a relative import."""
        klass = self.facts.classes.get(class_name)
        if klass is not None:
            member = class_member(self.parsed, klass, method)
            return self.summarize(member, f"{class_name}.{method}") if member is not None else None
        imported = self.facts.imports.get(class_name)
        if imported is None or imported.export == "*" or not imported.specifier.startswith("."):
            return None
        return self.loader.summary(self.path, imported.specifier, f"{imported.export}.{method}", self.settings)

    def summarize(self, function: Node, name: str) -> CalleeSummary | None:
        key = function.id
        if key in self._summaries:
            return self._summaries[key]
        if key in self._in_progress:
            return None
        self._in_progress.add(key)
        try:
            summary = self._summarize(function, name)
        finally:
            self._in_progress.discard(key)
        self._summaries[key] = summary
        return summary

    def _summarize(self, function: Node, name: str) -> CalleeSummary:
        lowering = CallLowering(self.facts, Role(is_handler=False), self.summary_of_callee)
        params = parameter_names(self.parsed, function)
        stand_ins = []
        for index, param in enumerate(params):
            if param:
                work = Work(site=-1 - index, kind=PARAMETER, span=self.parsed.first_line_span(function), name=param)
                stand_ins.append(work)
                lowering.builder.add(Start(work, (param,)))
        lowering.lower_function(function)
        result: FlowResult = run(lowering.builder.graph)
        leaked = _first_of_each_kind(work for work in result.pending_at if work.kind != PARAMETER)
        returned = _first_of_each_kind(work for work in result.handed_off if work.kind != PARAMETER)
        settled = frozenset(
            -1 - work.site for work in stand_ins if work not in result.pending_at and work not in result.handed_off
        )
        return CalleeSummary(name, self.path, is_async(function), leaked, returned, settled, self._settles_this(function))

    def _settles_this(self, function: Node) -> bool:
        """A method that clears, terminates or closes work kept on ``this`` (``clearInterval(this.timer)``)."""
        for node in walk(function):
            callee = field(node, "function") if node.type == "call_expression" else None
            if callee is None:
                continue
            arguments = field(node, "arguments")
            if self.facts.qualify(callee) in catalogue.SETTLES_ARGUMENTS and arguments is not None and \
                    any(self.parsed.text(arg).startswith("this.") for arg in arguments.named_children):
                return True
            if callee.type == "member_expression" and self.parsed.text(field(callee, "property")) in catalogue.SETTLING_METHODS \
                    and self.parsed.text(field(callee, "object")).startswith("this."):
                return True
        return False


def _in_text_order(work: Work) -> tuple[object, ...]:
    """Where the work starts, then what it is: never the order of node ids (an incremental
    re-parse keeps the ids of the subtrees it reuses, a fresh parse numbers them anew)."""
    return work.span, work.kind, work.name or "", work.via


def _first_of_each_kind(works: Iterable[Work]) -> tuple[Work, ...]:
    """A helper's work as its callers see it: started at the call, work of one kind is one work,
    shown where the helper first starts it."""
    first: dict[str, Work] = {}
    for work in sorted(works, key=_in_text_order):
        first.setdefault(work.kind, work)
    return tuple(first.values())


def _name_node(function: Node) -> Node:
    """Where an entry point is named: ``function handler``, ``const handler = ...``, ``exports.handler = ...``."""
    own = field(function, "name")
    if own is not None:
        return own
    parent = function.parent
    while parent is not None and parent.type in ("call_expression", "arguments", "parenthesized_expression"):
        parent = parent.parent  # through wrappers: ``middy(async () => ...)``
    if parent is not None and parent.type == "variable_declarator":
        return field(parent, "name") or function
    if parent is not None and parent.type == "assignment_expression":
        left = field(parent, "left")
        return field(left, "property") or left or function
    return function


def _own_method(parsed: ParsedSource, callee: Node, name: str) -> Node | None:
    """``this.save()`` inside a class: the class's own ``save`` method."""
    if not name.startswith("this.") or name.count(".") != 1:
        return None
    body = callee.parent
    while body is not None and body.type != "class_body":
        body = body.parent
    for member in body.named_children if body is not None else []:
        if member.type == "method_definition" and parsed.text(field(member, "name")) == name[5:]:
            return member
    return None


def _local_function(parsed: ParsedSource, callee: Node, name: str) -> Node | None:
    """``onTimer()`` calling ``function onTimer() {...}`` (or ``const onTimer = () => ...``) declared in
    a block that encloses the call: the nearest such declaration."""
    if callee.type != "identifier":
        return None
    block = callee.parent
    while block is not None:
        if block.type == "statement_block":
            for statement in block.named_children:
                found = _declared_function(parsed, statement, name)
                if found is not None:
                    return found
        block = block.parent
    return None


def _declared_function(parsed: ParsedSource, statement: Node, name: str) -> Node | None:
    if statement.type == "function_declaration":
        return statement if parsed.text(field(statement, "name")) == name else None
    if statement.type not in ("lexical_declaration", "variable_declaration"):
        return None
    for declarator in statement.named_children:
        value = unwrap(field(declarator, "value"))
        if declarator.type == "variable_declarator" and parsed.text(field(declarator, "name")) == name \
                and value is not None and value.type in FUNCTION_TYPES:
            return value
    return None


def _by_code(work: Work, hits: set[ExitHit], counted: frozenset[ExitRole], no_wait: bool) -> dict[str, list[ExitHit]]:
    """The rule each hit is reported under: the exit's own (EL151-EL153), else the work's kind's;
    a callback the runtime waits after (only unref'd work outlives it) is the kind's too."""
    grouped: dict[str, list[ExitHit]] = defaultdict(list)
    kind_code = catalogue.KINDS[work.kind].code
    if any(hit.role in counted and hit.role is not ExitRole.REJECT for hit in hits):
        counted = counted - {ExitRole.REJECT}  # pending on a normal path: that is the finding (EL902 is the rest)
    for hit in sorted(hits):
        if hit.role in counted:
            role_code = _ROLE_CODES.get(hit.role, kind_code)
            grouped[kind_code if hit.role is ExitRole.CALLBACK and not no_wait else role_code].append(hit)
    return grouped


def _finally_names(parsed: ParsedSource, function: Node) -> set[str]:
    """Names a ``finally`` of the handler mentions: work settled there is left out of EL902, as in
    Python (its author handled exceptions; what runs before the ``try`` is set-up that rarely fails)."""
    names: set[str] = set()
    for node in walk(function):
        if node.type == "finally_clause":
            names.update(parsed.text(part) for part in walk(node) if part.type == "identifier")
    return names


def _describe(noun: str, work: Work) -> str:
    noun = noun[0].upper() + noun[1:]
    helper = next((note.split("`")[1] for _, _, note in work.via if "`" in note), None)
    if helper is not None:
        return f"{noun} (via `{helper}`)"
    return f"{noun} `{work.name}`" if work.name else noun


def _aliases(parsed: ParsedSource, function: Node, parameters: Iterable[str]) -> frozenset[str]:
    """The parameters and the local names bound to a chain from one (``const change = event.data``)."""
    names = {name for name in parameters if name}
    declarators = [(field(node, "name"), field(node, "value")) for node in walk(function) if node.type == "variable_declarator"]
    grown = True
    while grown:
        grown = False
        for name, value in declarators:
            if name is not None and name.type == "identifier" and parsed.text(name) not in names \
                    and root_name(parsed, value) in names:
                names.add(parsed.text(name))
                grown = True
    return frozenset(names)


def _sets_no_wait(parsed: ParsedSource, function: Node) -> bool:
    """``context.callbackWaitsForEmptyEventLoop = false`` anywhere in the handler."""
    for node in walk(function):
        if node.type == "assignment_expression":
            left = dotted(parsed, field(node, "left")) or ""
            if left.endswith(".callbackWaitsForEmptyEventLoop") and parsed.text(field(node, "right")) == "false":
                return True
    return False


def _completes_through_context(parsed: ParsedSource, function: Node, context: str | None) -> bool:
    """``context.done()``, ``succeed()`` or ``fail()`` anywhere in the handler, in its callbacks too."""
    if not context:
        return False
    calls = {f"{context}.{method}" for method in DONE_METHODS}
    return any(node.type == "call_expression" and dotted(parsed, field(node, "function")) in calls for node in walk(function))


def _returns_value(function: Node) -> bool:
    """Whether a function (not the functions nested in it) can return a value: an expression body,
    or a ``return`` with an operand."""
    body = field(function, "body")
    if body is None or body.type != "statement_block":
        return body is not None
    stack = list(body.named_children)
    while stack:
        node = stack.pop()
        if node.type in FUNCTION_TYPES or node.type in ("class_declaration", "class"):
            continue
        if node.type == "return_statement" and any(part.type != "comment" for part in node.named_children):
            return True
        stack.extend(node.named_children)
    return False


def _module_level_calls(root: Node) -> list[Node]:
    found = []
    stack = list(root.named_children)
    while stack:
        node = stack.pop()
        if node.type in FUNCTION_TYPES or node.type in ("class_declaration", "class"):
            continue
        if node.type in ("call_expression", "new_expression"):
            found.append(node)
        stack.extend(node.named_children)
    return found


def _is_suppressed(finding: Finding, suppressed: dict[int, set[str]]) -> bool:
    codes = suppressed.get(finding.span.start.line)
    return codes is not None and (not codes or finding.code in codes)


def _unique(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[object, ...]] = set()
    kept = []
    for finding in findings:
        key = (finding.code, finding.span, finding.handler)
        if key not in seen:
            seen.add(key)
            kept.append(finding)
    return kept
