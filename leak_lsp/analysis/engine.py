"""One module's analysis: handlers, the coroutines they drive, helpers, import-time work."""

from __future__ import annotations

import ast
from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Generic, TypeVar, cast

from leak_lsp.analysis.catalogue import (
    FRESH_LOOP_RUNNERS,
    HAND_OFF_SETTLES,
    LOOP_RUN_METHODS,
    THREAD_BACKED,
    Catalogue,
    catalogue,
)
from leak_lsp.analysis.cfg import Node
from leak_lsp.analysis.config import Settings
from leak_lsp.analysis.fixes import FixWriter
from leak_lsp.analysis.handlers import Entry, NamedEntry, discover_handlers
from leak_lsp.analysis.lifecycle import (
    Destination,
    Environment,
    Handle,
    Held,
    LoopContext,
    Owner,
    Raised,
    Result,
    Summary,
    Work,
    analyze_function,
    carried,
    parameters,
    stored_parameters,
)
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
    Span,
)
from leak_lsp.analysis.names import (
    LOCAL,
    Scope,
    all_statements,
    keyword_switches,
    may_switch,
    module_scope,
    walk_statements,
)
from leak_lsp.analysis.noqa import apply_noqa
from leak_lsp.analysis.parsing import ChunkCache, ParsedModule, StatementFacts, parse_module
from leak_lsp.analysis.project_view import MAX_HELPER_DEPTH, ExternalHelper, HelperChain, ProjectView
from leak_lsp.analysis.raising import bounded
from leak_lsp.analysis.text import LineIndex, utf8_column_to_index
from leak_lsp.rules import rule_reporting, work_kinds
from leak_lsp.rules.rule import Occasion, Rule, WorkKind

T = TypeVar("T")


@dataclass(frozen=True)
class FixInput:
    """What the settle fixes of a finding are computed from, when they are asked for."""

    work: Work
    result: Result
    exits: tuple[Node, ...]
    function: ast.FunctionDef | ast.AsyncFunctionDef
    on_exception: bool = False  # EL902: settled on the normal path, pending where a call raises


@dataclass(frozen=True)
class TargetOutcome:
    """What the analysis of one entry adds to the report."""

    findings: tuple[Finding, ...]  # without their settle fixes: those depend on the whole module (names taken)
    fix_inputs: tuple[FixInput | None, ...]  # what computes each finding's settle fixes
    handoffs: tuple[tuple[Work, Destination], ...]  # work handed to a module-level object: EL901 unless settled somewhere
    problems: tuple[SourceProblem, ...]
    dependencies: frozenset[str]  # other files followed


@dataclass(frozen=True)
class ImportTime:
    """The work the module's own statements leave pending at import time, with the names holding it
    (work a name holds is not reported when some code of the module settles that name)."""

    pending: tuple[tuple[str | None, Finding], ...]
    dependencies: frozenset[str]  # other files followed


@dataclass(frozen=True)
class _Target:
    """A function analysed as an entry: a handler, or a coroutine a handler drives."""

    entry: Entry
    function: ast.FunctionDef | ast.AsyncFunctionDef
    loop: LoopContext
    handler: str  # the entry point findings belong to: for a driven coroutine, the handler driving it
    driver: ast.Call | None = None  # ``asyncio.run(main(...))`` in the handler


def analyze_module(source: str, path: str, settings: Settings, workspace: ProjectView | None = None,
                   fixes: bool = True, cache: OutcomeCache | None = None, chunks: ChunkCache | None = None
                   ) -> FileReport:
    """``fixes=False`` leaves settle fixes to :func:`fixes_for`: findings carry only their recipe.
    A ``cache`` holds the outcomes of entries of an earlier text of the module, ``chunks`` its parsed
    top-level chunks (incremental analysis); the cache keeps what builds this text's settle fixes (its ``fixer``)."""
    try:
        module = _Module(source, path, settings, workspace, fixes, chunks=chunks)
        report = module.report(cache)
    except RecursionError:
        return FileReport(path, problems=[SourceProblem("the file is nested too deeply to analyse")], analysed=False)
    if cache is not None:
        cache.fixer = module.kept_fixes
    return report


def fixes_for(source: str, recipe: FixRecipe, settings: Settings, path: str = "<string>",
              workspace: ProjectView | None = None) -> tuple[Fix, ...]:
    """The fixes of the finding a recipe describes, in the text it was found in (an empty tuple when the
    text has changed so that the finding is gone). Analyses the one entry, not the module."""
    module = _Module(source, path, settings, workspace, compute_fixes=True)
    for target in module._targets(module.entries()):
        if target.function.lineno - 1 != recipe.function_line or target.handler != recipe.handler:
            continue
        outcome = module.analyse_target(target)
        for finding, fix in zip(outcome.findings, outcome.fix_inputs):
            if finding.code == recipe.code and finding.span == recipe.span:
                return module.with_fixes(finding, fix).fixes
    return ()


def summarize_function(source: str, path: str, function: str, settings: Settings,
                       workspace: ProjectView, chain: HelperChain) -> tuple[Summary, bool] | None:
    """What a function of another module does to work, for a caller in the workspace; ``chain`` holds the
    modules whose helpers are being summarised above it."""
    module = _Module(source, path, settings, workspace, chain=chain)
    owner, _, name = function.rpartition(".")
    candidates = module._methods_of(owner) if owner else module.scope.functions
    node = candidates.get(name)
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    summary = module._summarize(node, function)
    if summary is None:
        return None
    summary.dependencies |= module.dependencies
    return summary, isinstance(node, ast.AsyncFunctionDef)


class OutcomeCache:
    """The outcomes of entries by the code they depend on: those of the last analysis are reused by the
    next one, the others are dropped (memory stays proportional to one text)."""

    def __init__(self) -> None:
        self._previous: dict[Hashable, TargetOutcome | ImportTime] = {}
        self._current: dict[Hashable, TargetOutcome | ImportTime] = {}
        self.reused = 0  # entries the last analysis did not analyse again
        self.fixer: Fixer | None = None  # the settle fixes of the last analysis' findings, built when asked
        self.code = _KeptCode()  # the code each entry's key holds, from the last analysis

    def start(self) -> None:
        self._previous, self._current, self.reused = self._current, {}, 0
        self.fixer = None

    def outcome(self, key: Hashable, compute: Callable[[], TargetOutcome], fixes: bool) -> TargetOutcome:
        """The outcome of an entry whose key is unchanged is reused, except when settle fixes are wanted
        and it has some: its fix inputs hold the syntax tree of the earlier text."""
        outcome = self._previous.get(key)
        if not isinstance(outcome, TargetOutcome) or fixes and any(outcome.fix_inputs):
            outcome = compute()
        else:
            self.reused += 1
        if not outcome.dependencies:  # what other files say may change without this text changing
            self._current[key] = outcome
        return outcome

    def import_time(self, key: Hashable, compute: Callable[[], ImportTime]) -> ImportTime:
        """The module's import-time work, reused while its key is unchanged."""
        found = self._previous.get(key)
        if not isinstance(found, ImportTime):
            found = compute()
        if not found.dependencies:
            self._current[key] = found
        return found


Code = tuple[tuple[int, str], ...]  # statements as their first line and text


class _KeptCode:
    """The code each entry's key held in the last analysis of a document, by its roots: kept while the roots
    are the same nodes (a kept chunk's: same text and line) and no statement defining a name the code
    mentions was added or removed (an edited statement is both), so an edit of one function does not gather
    the code of every entry again."""

    def __init__(self) -> None:
        self.body: dict[int, tuple[ast.stmt, set[str]]] = {}  # the statements and the names each defines
        self.found: dict[tuple[int, ...], tuple[tuple[ast.stmt, ...], frozenset[str], Code]] = {}

    def changed_names(self, body: dict[int, tuple[ast.stmt, set[str]]]) -> set[str]:
        """The names defined by statements gone since the last analysis or new in this one."""
        changed: set[str] = set()
        for before, after in ((self.body, body), (body, self.body)):
            for key, (statement, names) in before.items():
                other = after.get(key)
                if other is None or other[0] is not statement:
                    changed |= names
        return changed


class _TargetKeys:
    """What an entry's outcome depends on, as a value: its top-level statement and those defining any
    name it mentions (transitively), with their text and place; the module-level statements; the facts
    gathered over the whole module. Equal keys give equal outcomes."""

    def __init__(self, module: _Module, kept: _KeptCode) -> None:
        self.module = module
        self.tops: dict[int, ast.stmt] = {id(statement): statement for statement in module.tree.body}
        self.definers: dict[str, list[ast.stmt]] = {}
        body: dict[int, tuple[ast.stmt, set[str]]] = {}
        for statement in module.tree.body:
            names = module.parsed.memo.of(_defined_names, statement)
            body[id(statement)] = (statement, names)
            for name in names:
                self.definers.setdefault(name, []).append(statement)
        self.defined = frozenset(self.definers)
        self.kept, self.changed = kept.found, kept.changed_names(body)
        kept.body, kept.found = body, {}
        self.found = kept.found
        self.context = self._context()

    def _context(self) -> Hashable:
        module = self.module
        skeleton = tuple(self._text(statement) for statement in module.tree.body
                         if not isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)))
        buffers = tuple((kind.name, module.span(node), tuple(names)) for kind, node, names in module.env.buffers)
        vendor = tuple(qualified for kind in (*work_kinds(), *module.settings.models) for qualified in kind.wrapped_by if module._defines(qualified))
        imported = tuple(sorted(module._imported_instances.items())) if module.workspace is not None else ()
        return (skeleton, frozenset(module._imports_and_decorators), frozenset(module._switches_on),
                tuple(sorted(module.env.attribute_receivers.items())), tuple(sorted(module.env.attribute_types)),
                tuple(sorted(module.env.module_receivers.items())),
                buffers, vendor, imported)

    def of(self, target: _Target) -> Hashable:
        entry = target.entry
        roots = [self._top(target.function)] + ([self._top(target.driver)] if target.driver is not None else [])
        driver = self.module.span(target.driver) if target.driver is not None else None
        described = (target.function.lineno, entry.name, entry.platform, entry.reason, entry.proven, entry.by_shape,
                     entry.owner.name if entry.owner else None, target.loop, target.handler, driver)
        return self.context, described, self._code(roots)

    def of_import_time(self) -> Hashable:
        """Import time runs the module's statements but not the bodies of its functions and classes
        (only the helpers those statements call)."""
        roots = [statement for statement in self.module.tree.body
                 if not isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
        return self.context, "import time", self._code(roots)

    def _code(self, roots: list[ast.stmt]) -> Code:
        """The text and place of the roots and of every statement defining a name they mention, transitively;
        kept from the last analysis while no name they mention was defined, or stopped being defined, again."""
        key = tuple(map(id, roots))
        kept = self.kept.get(key)
        if kept is not None and all(a is b for a, b in zip(kept[0], roots)) and self.changed.isdisjoint(kept[1]):
            self.found[key] = kept
            return kept[2]
        seen = {id(root): root for root in roots}
        stack = list(roots)
        mentioned: set[str] = set()
        while stack:
            statement = stack.pop()
            named = self.module.parsed.memo.of(_named, statement)
            mentioned |= named
            # a name defined twice resolves to one of the definitions: each depends on the other
            for name in named & self.defined:
                for definer in self.definers.get(name, ()):
                    if id(definer) not in seen:
                        seen[id(definer)] = definer
                        stack.append(definer)
        code = tuple(self._text(statement) for statement in sorted(seen.values(), key=lambda s: s.lineno))
        self.found[key] = (tuple(roots), frozenset(mentioned), code)
        return code

    def _top(self, node: ast.AST) -> ast.stmt:
        for ancestor in [node, *self.module.parsed.index.ancestors(node)]:
            if id(ancestor) in self.tops:
                return self.tops[id(ancestor)]
        raise ValueError("a node outside the module")

    def _text(self, statement: ast.stmt) -> tuple[int, str]:
        return self.module.parsed.memo.of(_written, statement, self.module.parsed.lines)


def _switch_calls(statement: ast.stmt, facts: StatementFacts) -> list[ast.Call]:
    """The calls of a top-level statement that may set a switch (kept with its node: an edit reads those
    of the statements it touched)."""
    return [call for calls in facts.calls.values() for call in calls if may_switch(call)]


def _written(statement: ast.stmt, lines: LineIndex) -> tuple[int, str]:
    """A statement's first line and its lines as written."""
    first = min([statement.lineno, *(d.lineno for d in getattr(statement, "decorator_list", []))]) - 1
    last = (statement.end_lineno or statement.lineno) - 1
    return first, "\n".join(lines.line(number) for number in range(first, last + 1))


def _defined_names(statement: ast.stmt) -> set[str]:
    """Functions, classes and methods a top-level statement defines."""
    names = set()
    for node in walk_statements([statement]):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        if isinstance(node, ast.ClassDef):
            names.update(inner.name for inner in walk_statements(node.body)
                         if isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)))
    return names


def _named(statement: ast.stmt) -> frozenset[str]:
    """The names a top-level statement defines or mentions (walked once while its node is kept)."""
    return frozenset(_defined_names(statement) | _mentioned_names(statement))


def _mentioned_names(statement: ast.stmt) -> set[str]:
    """Every name and attribute a statement mentions: the helpers it may call, over-approximated."""
    names = set()
    for node in ast.walk(statement):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
    return names


class _Module:
    def __init__(self, source: str, path: str, settings: Settings, workspace: ProjectView | None = None,
                 compute_fixes: bool = True, chain: HelperChain = (), chunks: ChunkCache | None = None) -> None:
        self.path = path
        self.chain = chain
        self.compute_fixes = compute_fixes
        self.source = source
        self.settings = settings
        self.workspace = workspace
        self.dependencies: set[str] = set()
        self.parsed: ParsedModule = parse_module(source, chunks)
        self.tree = self.parsed.tree
        self.scope: Scope = module_scope(self.tree)
        self.summaries: dict[tuple[int, str, tuple[int, ...]], Summary | None] = {}
        self.summarising: list[int] = []  # ids of the helpers being summarised, outermost first
        self.catalogue = catalogue(settings.models)
        self.classes = {node.name: node for node in walk_statements(self.tree.body) if isinstance(node, ast.ClassDef)}
        receivers, instances, names = self._module_objects()
        self.env = Environment(
            scope=self.scope, module_receivers=receivers, module_names=names, summarize=self._summarize,
            methods_of=self._methods_of, instance_classes=instances, attribute_receivers=self._attribute_receivers(),
            attribute_types=self._attribute_types(), module_types=self._module_types(),
            external=self._external, buffers=self._module_buffers(),
            nodes_of=lambda scope: self.parsed.index.owned.get(id(scope), []), models=settings.models,
            calls_named=lambda name: self.parsed.index.calls.get(name, []),
            calls_in=lambda code: self.parsed.index.unit_calls.get(id(code), []),
            lineage=self._lineage)
        self.fixes = FixWriter(self.parsed, self.scope)
        self._fix_inputs: dict[FixRecipe, tuple[Finding, FixInput]] = {}  # without ``compute_fixes``: for ``kept_fixes``

    # -- module facts ----------------------------------------------------------------------
    def _module_objects(self) -> tuple[dict[str, str], dict[str, str], set[str]]:
        receivers: dict[str, str] = {}
        instances: dict[str, str] = {}
        names: set[str] = set()
        constructors = self.catalogue.receivers
        for statement in walk_statements(self.tree.body):
            if isinstance(statement, (ast.Assign, ast.AnnAssign)):
                targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
                for target in targets:
                    for name in (n.id for n in ast.walk(target) if isinstance(n, ast.Name)):
                        names.add(name)
                        value = statement.value
                        if isinstance(value, ast.Call):
                            for qualified in self._lineage(self.scope.class_lineage(self.scope.qualify(value.func))):
                                if qualified in constructors:
                                    receivers[name] = constructors[qualified]
                            if isinstance(value.func, ast.Name) and value.func.id in self.classes:
                                instances[name] = value.func.id
        return {**self._imported_receivers(), **receivers}, instances, names

    def _imported_receivers(self) -> dict[str, str]:
        """``from shared import EXECUTOR``: a receiver another module of the project builds at import time
        is as module-level, and as shared by every invocation, as one built here."""
        found: dict[str, str] = {}
        if self.workspace is not None:
            for statement in walk_statements(self.tree.body):
                if isinstance(statement, ast.ImportFrom):
                    found.update(self._receivers_from(self.workspace, statement))
        return found

    def _receivers_from(self, workspace: ProjectView, statement: ast.ImportFrom) -> dict[str, str]:
        """The receivers among the names one ``from module import ...`` takes from a project module."""
        built = workspace.module_constructions("." * statement.level + (statement.module or ""), self.path)
        if built is None:
            return {}
        path, constructions = built
        kinds = {alias.asname or alias.name: self.catalogue.receivers.get(constructions.get(alias.name, ""))
                 for alias in statement.names}
        found = {name: kind for name, kind in kinds.items() if kind is not None}
        if found:
            self.dependencies.add(path)
        return found

    def _module_buffers(self) -> list[tuple[WorkKind, ast.Call, list[str]]]:
        """``provider.add_span_processor(BatchSpanProcessor(exporter))`` and the like, at import time."""
        buffering = self.catalogue.buffers
        found = []
        for statement in walk_statements(self.tree.body):
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            for node in ast.walk(statement):
                if not isinstance(node, ast.Call):
                    continue
                kind = next((buffering[name] for name in self._lineage(self.scope.class_lineage(self.scope.qualify(node.func)))
                             if name in buffering), None)
                if kind is None or self._wrapped(kind):
                    continue
                names = [t.id for t in getattr(statement, "targets", []) if isinstance(t, ast.Name)
                         and getattr(statement, "value", None) is node]
                owner = self.parsed.index.parents.get(id(node))
                if isinstance(owner, ast.Call) and isinstance(owner.func, ast.Attribute) \
                        and isinstance(owner.func.value, ast.Name):
                    names.append(owner.func.value.id)  # provider.add_span_processor(...)
                found.append((kind, node, names))
        return found

    def _lineage(self, names: list[str], depth: int = 0) -> list[str]:
        """A class lineage continued into other modules and installed packages: ``class Poller(Thread)``
        defined in ``workers.py`` is a thread. Read statically, never imported."""
        if self.workspace is None or depth > MAX_HELPER_DEPTH:
            return names
        known = self.catalogue.started_types() | set(self.catalogue.receivers) | set(self.catalogue.buffers)
        result = list(names)
        for name in names:
            if name in known or name.startswith(LOCAL) or "." not in name:
                continue
            result += self._lineage(self.workspace.class_bases(name, self.path), depth + 1)
        return result

    def _wrapped(self, kind: WorkKind) -> bool:
        """A vendor wrapper in the module settles this kind of work after every invocation."""
        return any(name in self._imports_and_decorators or self._defines(name) for name in kind.wrapped_by) \
            or any(pair in self._switches_on for pair in kind.disabled_by) or self._switched_off_where_imported(kind)

    def _defines(self, qualified: str) -> bool:
        """This module is the vendor wrapper itself (``sentry_sdk/integrations/aws_lambda.py``)."""
        module, _, name = qualified.rpartition(".")
        return self.path.replace("\\", "/").endswith("/" + module.replace(".", "/") + ".py") \
            and (name in self.classes or name in self.scope.functions)

    @cached_property
    def _switches_on(self) -> set[tuple[str, str]]:
        """(call, keyword) pairs the module calls with ``keyword=True``, and (call, ``keyword=False``) pairs;
        only for the keywords some kind of work is switched off by (the others decide nothing, and an edit
        of a large module would qualify every call giving a keyword a name)."""
        switching = {keyword.partition("=")[0] for kind in (*work_kinds(), *self.settings.models)
                     for _, keyword in kind.disabled_by}
        index, memo = self.parsed.index, self.parsed.memo
        return keyword_switches((call for statement, part in zip(self.tree.body, index.parts)
                                 for call in memo.of(_switch_calls, statement, part)
                                 if any(keyword.arg in switching for keyword in call.keywords)), self.scope)

    def _switched_off_where_imported(self, kind: WorkKind) -> bool:
        """``from slack_app import app``: a project module this one imports from may be the one building the
        library object with the switch that turns the work off (``App(process_before_response=True)``)."""
        if not kind.disabled_by or self.workspace is None:
            return False
        for module in self._imported_modules:
            found = self.workspace.module_switches(module, self.path)
            if found is not None:
                path, switches = found
                self.dependencies.add(path)
                if any(pair in switches for pair in kind.disabled_by):
                    return True
        return False

    @cached_property
    def _imported_modules(self) -> tuple[str, ...]:
        """The modules this one imports, anywhere in it (``from .app import app`` inside a handler too)."""
        modules: dict[str, None] = {}
        for node in ast.walk(self.tree):
            if isinstance(node, ast.ImportFrom):
                modules["." * node.level + (node.module or "")] = None
            elif isinstance(node, ast.Import):
                modules.update(dict.fromkeys(alias.name for alias in node.names))
        return tuple(modules)

    @cached_property
    def _imports_and_decorators(self) -> set[str]:
        """What the module imports, and the qualified names of the decorators it applies."""
        names = set(self.scope.imports.values())
        for node in self.parsed.index.definitions:
            for decorator in node.decorator_list:
                names.add(self.scope.qualify(decorator.func if isinstance(decorator, ast.Call) else decorator) or "")
        return names

    def _attribute_types(self) -> dict[str, ast.Call]:
        """``self.thread = Thread(...)`` in any method, started in another: the construction, by attribute."""
        found: dict[str, ast.Call] = {}
        for cls in self.classes.values():
            for node in ast.walk(cls):
                if isinstance(node, ast.Assign) and self._constructs_started_work(node.value):
                    for target in node.targets:
                        if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
                            found.setdefault(ast.unparse(target), cast(ast.Call, node.value))
        return found

    def _module_types(self) -> dict[str, ast.Call]:
        """``HEARTBEAT = Thread(...)`` at import time, started by a handler: the construction, by name."""
        found: dict[str, ast.Call] = {}
        for node in walk_statements(self.tree.body):
            if isinstance(node, ast.Assign) and self._constructs_started_work(node.value):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        found.setdefault(target.id, cast(ast.Call, node.value))
        return found

    def _constructs_started_work(self, value: ast.expr) -> bool:
        """A call building an object whose ``start()`` (or the like) starts work: a thread, a timer, a process."""
        if not isinstance(value, ast.Call):
            return False
        started = self.catalogue.started_types()
        return any(name in started for name in self._lineage(self.scope.class_lineage(self.scope.qualify(value.func))))

    def _attribute_receivers(self) -> dict[str, tuple[str, Owner]]:
        """``self.pool = ThreadPoolExecutor()`` in any method: the executor of every method."""
        constructors = self.catalogue.receivers
        found: dict[str, tuple[str, Owner]] = {}
        for cls in self.classes.values():
            for node in ast.walk(cls):
                if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                    for target in node.targets:
                        if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
                            for qualified in self._lineage(self.scope.class_lineage(self.scope.qualify(node.value.func))):
                                if qualified in constructors:
                                    text = ast.unparse(target)
                                    found[text] = (constructors[qualified], Owner(Held.ATTRIBUTE, text))
        return found

    def _external(self, call: ast.Call) -> ExternalHelper | None:
        """A call into another module of the workspace, resolved by jedi when the import is local."""
        if self.workspace is None:
            return None
        qualified = self.scope.qualify(call.func)
        root = call.func
        while isinstance(root, ast.Attribute):
            root = root.value
        if not qualified or not isinstance(root, ast.Name):
            return None
        if root.id not in self.scope.imports:
            constructed = self._imported_instances.get(root.id)  # ``wrapper.close()``, wrapper = Wrapper()
            if constructed is None or not self.workspace.is_workspace_module(constructed.rpartition(".")[0], self.path):
                return None
            qualified = constructed + qualified[len(root.id):]
        else:
            module = qualified.rpartition(".")[0]
            if not module or not self.workspace.is_workspace_module(module, self.path):
                return None
        name_span = self.span(call.func)
        column = name_span.end.column - 1 if name_span.end.line == name_span.start.line else name_span.start.column
        helper = self.workspace.helper(self.path, self.source, name_span.end.line + 1, column, qualified,
                                       self.chain, summarize_function)
        if helper is not None:
            self.dependencies.add(helper.path)
            self.dependencies |= helper.summary.dependencies
        return helper

    @cached_property
    def _imported_instances(self) -> dict[str, str]:
        """Variables assigned an object of an imported class: ``wrapper = WebDriverWrapper()``."""
        found: dict[str, str] = {}
        for calls in self.parsed.index.calls.values():
            for call in calls:
                parent = self.parsed.index.parents.get(id(call))
                if not isinstance(parent, ast.Assign) or parent.value is not call:
                    continue
                qualified = self.scope.qualify(call.func) or ""
                if "." in qualified and not qualified.startswith(LOCAL):
                    found.update({target.id: qualified for target in parent.targets if isinstance(target, ast.Name)})
        return found

    def _methods_of(self, class_name: str, seen: frozenset[str] = frozenset()) -> dict[str, ast.AST]:
        """A class's methods, with those it inherits from base classes of the module."""
        cls = self.classes.get(class_name)
        if cls is None or class_name in seen:
            return {}
        methods: dict[str, ast.AST] = {}
        for base in reversed(cls.bases):
            if isinstance(base, ast.Name):
                methods.update(self._methods_of(base.id, seen | {class_name}))
        methods.update({node.name: node for node in cls.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))})
        return methods

    def _owner_class(self, function: ast.AST) -> str | None:
        for cls in self.classes.values():
            if function in cls.body:
                return cls.name
        return None

    def _summarize(self, function: ast.AST, name: str) -> Summary | None:
        # by the helpers being summarised too: a summary then depends on neither the order in which the
        # entries are analysed nor which of them are (an incremental analysis skips unchanged ones)
        key = (id(function), name, tuple(self.summarising))
        if key in self.summaries:
            return self.summaries[key]
        if len(self.summarising) >= MAX_HELPER_DEPTH or id(function) in self.summarising \
                or not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return None  # too deep, or a call back into a helper being summarised: it does nothing
        if self._cannot_matter(function):
            self.summaries[key] = Summary(params=parameters(function), stores=stored_parameters(function))
            return self.summaries[key]
        self.summarising.append(id(function))
        try:
            result = analyze_function(function, self.env, "helper", self._owner_class(function))
        finally:
            self.summarising.pop()
        summary = Summary(params=parameters(function), stores=stored_parameters(function))
        for site, work in enumerate(result.sites):
            if work.kind is not None:
                work = self._scheduled_in(name, work)
            exits = result.pending_at_exits.get(site, [])
            if work.kind is None:
                if exits:
                    continue
                if work.slot is not None:
                    summary.disarms.add(work.slot)
                elif work.name in summary.params:
                    summary.settles.add(summary.params.index(work.name))
                elif work.input is not None and carried(work.input):
                    summary.settles_attributes.add(work.input)
            elif site in result.returned and not exits:
                summary.returns.append(work)
            elif exits:
                summary.leaks.append(replace(work, attributes=_attributes_at_exits(result, site)))
        for site, raised in self._exception_leaks(result, "none"):
            summary.raise_leaks.append((self._scheduled_in(name, result.sites[site]), raised))
        self.summaries[key] = summary
        return summary

    def _cannot_matter(self, function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
        """A helper whose summary is empty whatever its callers give it, told from its own nodes without
        analysing it: it calls nothing that may start, settle or wait for work, no helper of this module or
        another, imports and awaits nothing, and has no ``while`` (whose exit a test of a parameter may settle) and no
        ``with`` (whose exit may settle what it manages). The test of an ``if`` settles nothing on both of its
        branches, so every parameter stays pending at some exit, as the analysis finds."""
        for node in self.env.nodes_of(function):
            if type(node) in _MAY_ACT_ON_WORK or type(node) is ast.Call and not self._quiet_call(node):  # parsed: exact types
                return False
        return True

    def _quiet_call(self, call: ast.Call) -> bool:
        """A call that neither acts on work nor runs code the analysis would summarise. The calls nested in
        it (``str(item).upper()``: ``str(item)``) are tested on their own."""
        scope, root = self.scope, call.func
        while isinstance(root, ast.Attribute):
            if root.attr in self.catalogue.effect_methods:
                return False
            root = root.value
        if isinstance(root, ast.Name):
            name = root.id
            if name in _INSTANCE_NAMES or name in scope.imports or name in scope.functions or name in scope.classes \
                    or name in self.env.module_names \
                    or self.workspace is not None and name in self._imported_instances:
                return False
        return not self.catalogue.may_affect_work(scope.qualify(call.func) or "")

    def _scheduled_in(self, helper: str, work: Work) -> Work:
        """The work, seen from a caller of the helper: its line in the helper is one more step of the chain."""
        assert work.kind is not None
        note = f"`{helper}()` schedules the {work.kind.noun} here"
        return replace(work, via=(Related(self.path, self.span(work.node), note, RelatedRole.HELPER_STEP), *work.via))

    # -- entries -----------------------------------------------------------------------------
    def _targets(self, entries: list[Entry]) -> list[_Target]:
        targets = []
        for entry in entries:
            is_async = isinstance(entry.function, ast.AsyncFunctionDef)
            targets.append(_Target(entry, entry.function, "reused" if is_async else "none", entry.name))
            targets.extend(self._driven_coroutines(entry))
        return targets

    @cached_property
    def _loop_runs(self) -> dict[int, list[ast.Call]]:
        """``run(...)`` and ``run_until_complete(...)`` calls by the function that makes them."""
        index = self.parsed.index
        by_function: dict[int, list[ast.Call]] = {}
        names = sorted({runner.rpartition(".")[2] for runner in FRESH_LOOP_RUNNERS} | LOOP_RUN_METHODS)
        for call in [call for name in names for call in index.calls.get(name, [])]:
            by_function.setdefault(id(index.enclosing_function(call)), []).append(call)
        return by_function

    def _driven_coroutines(self, entry: Entry) -> list[_Target]:
        """``asyncio.run(main(event))`` and ``LOOP.run_until_complete(main(event))`` in a handler."""
        driven = []
        for node in self._loop_runs.get(id(entry.function), []):
            if not node.args or not isinstance(node.args[0], ast.Call):
                continue
            qualified = self.scope.qualify(node.func) or ""
            if qualified in FRESH_LOOP_RUNNERS:
                loop: LoopContext = "fresh"
            elif isinstance(node.func, ast.Attribute) and node.func.attr in LOOP_RUN_METHODS:
                loop = "reused"
            else:
                continue
            inner = node.args[0].func
            if isinstance(inner, ast.Name) and isinstance(self.scope.functions.get(inner.id), ast.AsyncFunctionDef):
                coroutine = self.scope.functions[inner.id]
                assert isinstance(coroutine, ast.AsyncFunctionDef)
                reason = f"driven by {ast.unparse(node.func)}() in {entry.name}"
                driven.append(_Target(Entry(coroutine, inner.id, entry.platform, reason, proven=entry.proven), coroutine,
                                      loop, entry.name, node))
        return driven

    # -- findings ------------------------------------------------------------------------------
    def entries(self) -> list[Entry]:
        named = [NamedEntry(name, "configured", "named in [tool.leak-lsp] handlers")
                 for name in self.settings.configured_handlers(self.path)]
        if self.workspace is not None:
            for deployed in self.workspace.deployed_handlers(self.path):
                named.append(NamedEntry(deployed.function, deployed.platform, f"named in {deployed.description}"))
                self.dependencies.add(str(deployed.origin))
            for invoked in self.workspace.invoked_methods(self.path):
                reason = f"per-invocation code, not a proven handler: called by the handler module {invoked.handler_module.name}"
                named.append(NamedEntry(invoked.pattern, "aws-lambda", reason, proven=False))
                self.dependencies.add(str(invoked.handler_module))
        return discover_handlers(self.tree, self.scope, self.path, named, self.parsed.index, self.parsed.memo)

    def analyse_target(self, target: _Target) -> TargetOutcome:
        """The findings of one entry: what an incremental analysis keeps while the entry's code is unchanged."""
        before = set(self.dependencies)
        try:
            result = analyze_function(target.function, self.env, "handler", self._owner_class(target.function))
        except RecursionError:
            problem = SourceProblem(f"`{target.entry.name}` is nested too deeply to analyse", self._name_span(target.function))
            return TargetOutcome((), (), (), (problem,), frozenset(self.dependencies - before))
        handoffs = tuple((result.sites[site], hand_off) for site, hand_off in result.handoffs.items())
        leaks = self._leaks(result, target)
        skipped = tuple(SourceProblem("this statement is nested too deeply to analyse; work it starts or settles "
                                      "is not followed", self.span(statement)) for statement in result.too_deep.values())
        return TargetOutcome(tuple(finding for finding, _ in leaks), tuple(fix for _, fix in leaks), handoffs, skipped,
                             frozenset(self.dependencies - before))

    def with_fixes(self, finding: Finding, fix: FixInput | None) -> Finding:
        if fix is None:
            return finding
        if fix.on_exception:
            return replace(finding, fixes=(*self.fixes.finally_fixes(fix.work, fix.function), *finding.fixes))
        raises_between = any(fix.result.sites[site] is fix.work for site in fix.result.pending_on_raise)
        settle = self.fixes.settle_fixes(fix.work, fix.result, list(fix.exits), fix.function, raises_between)
        return replace(finding, fixes=(*settle, *finding.fixes))

    def kept_fixes(self, recipe: FixRecipe) -> tuple[Fix, ...] | None:
        """A finding's fixes built from what its analysis kept: no analysis again, only this finding's
        edits. None when nothing was kept for it, or it was kept from an outcome of an earlier text
        whose syntax tree is not this one's (a chunk parsed again): ``fixes_for`` then analyses afresh."""
        kept = self._fix_inputs.get(recipe)
        if kept is None or id(kept[1].function) not in self.parsed.index.parents:
            return None  # a node kept alive by the input is in this tree only if its id is
        return self.with_fixes(*kept).fixes

    def report(self, cache: OutcomeCache | None = None) -> FileReport:
        report = FileReport(self.path, problems=list(self.parsed.problems))
        entries = self.entries()
        report.handlers = [Handler(e.name, self._name_span(e.function), e.platform, e.reason) for e in entries]
        findings: dict[tuple[str, Span], Finding] = {}
        handoffs: dict[tuple[Span, str], tuple[Work, Destination, str]] = {}
        keys = _TargetKeys(self, cache.code) if cache is not None else None
        for target in self._targets(entries):
            if cache is None or keys is None:
                outcome = self.analyse_target(target)
            else:
                outcome = cache.outcome(keys.of(target), lambda target=target: self.analyse_target(target),  # type: ignore[misc]
                                        self.compute_fixes)
            report.problems.extend(outcome.problems)
            for finding, fix in zip(outcome.findings, outcome.fix_inputs):
                if (finding.code, finding.span) not in findings:
                    findings[(finding.code, finding.span)] = self.with_fixes(finding, fix) if self.compute_fixes else finding
                    if not self.compute_fixes and fix is not None and finding.recipe is not None:
                        self._fix_inputs[finding.recipe] = (finding, fix)
            for work, hand_off in outcome.handoffs:
                handoffs[(self.parsed.span(work.node), type(work.node).__name__)] = (work, hand_off, target.handler)
        settled_roots = _Lazy(lambda: _settled_roots(self.tree, self.scope, self.catalogue))
        import_time = cache.import_time(keys.of_import_time(), self._import_time) \
            if cache is not None and keys is not None else self._import_time()
        for name, finding in import_time.pending:
            if name not in settled_roots.value:  # else waited for by the invocations, as a lazily loaded model is
                findings.setdefault((finding.code, finding.span), finding)
        for work, hand_off, handler in handoffs.values():
            if hand_off.root not in settled_roots.value:
                finding = self._finding(_rule_of(work, Occasion.HANDED_OFF), work, handler, target=hand_off.target)
                findings.setdefault((finding.code, finding.span), finding)
        kept = apply_noqa(findings.values(), self.parsed.lines, self.path, self.settings)
        report.findings = sorted((f for f in kept if self.settings.is_enabled(f.code)), key=lambda f: (f.span, f.code))
        report.dependencies = sorted(self.dependencies)
        return report

    def _rule(self, work: Work, loop: LoopContext) -> Rule:
        return _rule_of(work, Occasion.CANCELLED_WITH_LOOP if _cancelled_with_loop(work, loop) else None)

    def _leaks(self, result: Result, target: _Target) -> list[tuple[Finding, FixInput | None]]:
        findings: list[tuple[Finding, FixInput | None]] = []
        settings = _settings_assigned(target.function)
        for site, exits in result.pending_at_exits.items():
            work = result.sites[site]
            if work.kind is None or self._wrapped(work.kind) or _switched_off(work, settings):
                continue
            rule = self._rule(work, target.loop)
            finding = self._finding(rule, work, target.handler, exits=exits, result=result, target=target)
            findings.append((finding, FixInput(work, result, tuple(exits), target.function) if finding.recipe else None))
        for site, raised in self._exception_leaks(result, target.loop):
            if _switched_off(result.sites[site], settings):
                continue
            work = result.sites[site]
            finding = self._finding(_rule_of(work, Occasion.PENDING_ON_EXCEPTION), work, target.handler,
                                    target=target, exit_text=raised.text, extra_related=(raised.location,))
            recipe = FixRecipe(finding.code, finding.span, target.function.lineno - 1, target.handler)
            findings.append((replace(finding, recipe=recipe), FixInput(work, result, (), target.function, on_exception=True)))
        return findings

    def _exception_leaks(self, result: Result, loop: LoopContext) -> list[tuple[int, Raised]]:
        """EL902: work pending only where a call raises (or a bounded settle gives up) before the settle,
        here or in a helper called here. Work a ``finally`` settles is left alone: its author handled
        exceptions, and the calls before the ``try`` are set-up that rarely fails, unless one of them is a
        method of the work itself (``driver.get(url)`` before the ``try``): that is the work being used. A call
        raising inside an ``except`` branch that settles the work is a second failure while handling the first."""
        found = []
        settled_in_finally = _Lazy(lambda: _finally_names(result.graph.function))  # most handlers never ask
        cleanups = _Lazy(lambda: _cleanup_handlers(result.graph.function))
        for site, crashes in result.pending_on_raise.items():
            work = result.sites[site]
            if site in result.pending_at_exits or work.kind is None or self._wrapped(work.kind) \
                    or not self._outlives_exception(work, loop):
                continue
            crashes = [node for node in crashes if not _within(node.stmt, work.statement)  # raised before it started
                       and not _in_cleanup_handler(node.stmt, work.name, cleanups.value)]
            if work.name in settled_in_finally.value:  # but the work's own use before the ``try`` is no set-up
                crashes = [node for node in crashes if _called_on(node.stmt, work.name)]
            if crashes:
                found.append((site, self._raised(work, crashes)))
        for site, wait in result.gives_up.items():
            work = result.sites[site]
            if site in result.pending_at_exits or site in result.pending_on_raise or work.kind is None:
                continue
            if _on_default_executor(work.node) and not self._outlives_exception(work, loop):
                continue  # ``asyncio.run`` waits for its default executor's threads before it returns
            note = "if this times out, the awaitable is cancelled but its thread keeps running"
            found.append((site, Raised(f"`{ast.unparse(wait.func)}()` on line {wait.lineno} times out",
                                       Related(self.path, self.span(wait), note, RelatedRole.RAISES_HERE))))
        for site, raised in result.raised_in_helpers.items():
            work = result.sites[site]
            if site not in result.pending_at_exits and work.kind is not None and not self._wrapped(work.kind):
                found.append((site, raised))
        return found

    def _outlives_exception(self, work: Work, loop: LoopContext) -> bool:
        """An exception drops an unawaited coroutine, and ``asyncio.run`` cancels its loop's tasks."""
        assert work.kind is not None
        return not work.kind.inert and not _cancelled_with_loop(work, loop)

    def _raised(self, work: Work, crashes: list[Node]) -> Raised:
        assert work.kind is not None
        first = min(crashes, key=lambda node: (getattr(node.stmt, "lineno", 0), getattr(node.stmt, "col_offset", 0)))
        call = first.stmt
        assert isinstance(call, ast.Call)
        how = bounded(call)
        shown = ast.unparse(call) if how else f"{ast.unparse(call.func)}()"
        if len(shown) > 60:
            shown = f"{ast.unparse(call.func)}(...)"
        exit_text = f"`{shown}` on line {call.lineno} {how or 'raises'}"
        note = f"if this {'gives up' if how else 'raises'}, the {work.kind.noun} is still pending"
        return Raised(exit_text, Related(self.path, self.span(call), note, RelatedRole.RAISES_HERE))

    def _import_time(self) -> ImportTime:
        before = set(self.dependencies)
        body = [s for s in self.tree.body if not _is_main_guard(s)]
        result = analyze_function(self.tree, self.env, "module", body=body)
        pending = []
        for site in result.pending_at_exits:
            work = result.sites[site]
            if work.kind is not None and work.kind.reported_at_import:
                pending.append((work.name, self._finding(_rule_of(work, Occasion.STARTED_AT_IMPORT), work, None)))
        return ImportTime(tuple(pending), frozenset(self.dependencies - before))

    def _finding(self, rule: Rule, work: Work, handler: str | None, exits: list[Node] | None = None,
                 result: Result | None = None, target: _Target | str | None = None, exit_text: str | None = None,
                 extra_related: tuple[Related, ...] = ()) -> Finding:
        assert work.kind is not None
        span = self.span(work.node)
        related: list[Related] = []
        if work.statement is None and work.kind.buffers and isinstance(target, _Target):  # a buffer filled since import
            related.append(Related(self.path, span, f"the {work.kind.noun} is created here, at import time",
                                   RelatedRole.CREATED_AT_IMPORT))
            span = self._name_span(target.function)
        noun = work.alarm.noun if work.alarm is not None and work.alarm.noun else work.kind.noun
        what = _describe(noun, work.name, work.helper)
        if exit_text is None:
            exit_text = _describe_exits(exits or [], target.function if isinstance(target, _Target) else None)
        driven = isinstance(target, _Target) and target.driver is not None
        message = rule.render(what, noun, exit_text, target if isinstance(target, str) else "",
                              "coroutine" if driven else "handler")
        related += list(work.via) + list(extra_related)
        for exit_node in exits or []:
            related.append(Related(self.path, self._exit_span(exit_node), _exit_note(exit_node, work.kind), RelatedRole.EXIT))
        if isinstance(target, _Target) and target.driver is not None:
            related.append(Related(self.path, self.span(target.driver), f"{target.entry.reason}: the loop is "
                                   + ("closed here" if target.loop == "fresh" else "reused by later invocations"),
                                   RelatedRole.DRIVER))
        recipe = None
        if result is not None and isinstance(target, _Target) and exits:
            recipe = FixRecipe(rule.code, span, target.function.lineno - 1, target.handler)
        severity = self.settings.severity_of(rule.code, _default_severity(rule, target, work))
        return Finding(rule.code, rule.name, message, severity, span, self.path, tuple(related),
                       (self.fixes.noqa_fix(span.start.line, rule.code),), handler, recipe)

    def span(self, node: ast.AST) -> Span:
        """A node's span; a call over several lines is reported on its first line, which reads better."""
        span = self.parsed.span(node)
        if isinstance(node, ast.Call) and span.end.line > span.start.line:
            line = span.start.line
            return Span.of(line, span.start.column, line, len(self.parsed.lines.line(line)))
        return span

    def _exit_span(self, node: Node) -> Span:
        stmt = node.stmt
        if node.exit_kind == "end" and isinstance(stmt, ast.AST) and hasattr(stmt, "lineno"):
            line = (getattr(stmt, "end_lineno", None) or stmt.lineno) - 1
            return Span.of(line, 0, line, len(self.parsed.lines.line(line)))
        assert stmt is not None
        first = self.span(stmt)
        return Span(first.start, first.end if first.end.line == first.start.line else first.start)

    def _name_span(self, function: ast.FunctionDef | ast.AsyncFunctionDef) -> Span:
        return self.parsed.memo.of(_name_span_of, function, self.parsed.lines)


def _name_span_of(function: ast.FunctionDef | ast.AsyncFunctionDef, lines: LineIndex) -> Span:
    """Where a function's name stands in its ``def``."""
    line = function.lineno - 1
    text = lines.line(line)
    column = text.find(function.name, utf8_column_to_index(text, function.col_offset))
    column = max(column, 0)
    return Span.of(line, column, line, column + len(function.name))


# Nodes through which a function may act on work other than by a call: awaiting, a block whose exit or
# loop test settles, names of other scopes or imported here (what its calls mean then is the module's
# scope no longer), nested code (summarised when called).
_MAY_ACT_ON_WORK: frozenset[type[ast.AST]] = frozenset({
    ast.Await, ast.Yield, ast.YieldFrom, ast.With, ast.AsyncWith, ast.AsyncFor, ast.While, ast.Match, ast.Global,
    ast.Nonlocal, ast.Import, ast.ImportFrom, ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef})
_INSTANCE_NAMES = frozenset({"self", "cls"})  # ``self.m()``: a method of the module's class, summarised


class _Lazy(Generic[T]):
    """A value computed on first use: most files never need it."""

    def __init__(self, compute: Callable[[], T]) -> None:
        self._compute = compute

    @cached_property
    def value(self) -> T:
        return self._compute()


def _describe(noun: str, name: str | None, helper: str | None) -> str:
    noun = noun[0].upper() + noun[1:]
    if helper is not None:
        return f"{noun} (via `{helper}()`)"
    return f"{noun} `{name}`" if name else noun


def _describe_exits(exits: list[Node], function: ast.AST | None) -> str:
    """"returns on line 14 or 20, raises on line 18" — grouped by how the handler leaves."""
    lines: dict[str, list[int]] = {}
    for node in exits:
        stmt = node.stmt
        if node.exit_kind == "end":
            verb, line = "reaches its end", int(getattr(stmt, "end_lineno", 0) or getattr(stmt, "lineno", 0))
        else:
            verb, line = ("returns" if node.exit_kind == "return" else "raises"), int(getattr(stmt, "lineno", 0))
        if line not in lines.setdefault(verb, []):
            lines[verb].append(line)
    if not lines:
        return "returns"
    parts = []
    for verb, numbers in sorted(lines.items(), key=lambda item: min(item[1])):
        numbers.sort()
        shown = ", ".join(map(str, numbers[:3])) + (f" and {len(numbers) - 3} more" if len(numbers) > 3 else "")
        if len(numbers) in (2, 3):
            shown = ", ".join(map(str, numbers[:-1])) + f" or {numbers[-1]}"
        parts.append(f"{verb} on line {shown}")
    return ", or ".join(parts)


def _exit_note(node: Node, kind: WorkKind) -> str:
    if node.exit_kind == "raise":
        return f"the handler raises here while the {kind.noun} is pending"
    if node.exit_kind == "end":
        return f"the handler ends here while the {kind.noun} is pending"
    return f"the handler returns here while the {kind.noun} is pending"


def _rule_of(work: Work, occasion: Occasion | None = None) -> Rule:
    assert work.kind is not None
    return rule_reporting(work.kind, occasion)


def _cancelled_with_loop(work: Work, loop: LoopContext) -> bool:
    """Loop-bound work on the loop ``asyncio.run`` closes when it returns (not a loop the module keeps)."""
    return work.kind is not None and work.kind.loop_bound and loop == "fresh" and not work.on_module_loop


def _attributes_at_exits(result: Result, site: int) -> frozenset[Handle]:
    """The ``self.<attribute>`` names through which a helper's pending work is still reachable when it returns."""
    return frozenset(name for state in result.exit_states.values() for pending, names in state if pending == site
                     for name in names if carried(name))


def _default_severity(rule: Rule, target: _Target | str | None, work: Work) -> Severity:
    """At most warnings where the leak is not proven: per-invocation code that is not a handler (its callers
    are unseen), and work started only when a module-level setting has some value (it may be switched off).
    A timer armed at import is information only: no invocation owns it (as in Node, NODE.md §1.5)."""
    assert work.kind is not None
    if rule.occasion is Occasion.STARTED_AT_IMPORT and work.kind.informs_at_import:
        return Severity.INFORMATION
    unproven = isinstance(target, _Target) and not target.entry.proven
    if (unproven or work.guarded) and rule.severity == Severity.ERROR:
        return Severity.WARNING
    return rule.severity


def _switched_off(work: Work, settings: dict[str, object]) -> bool:
    """``SETTINGS["mode"] = "blocking"`` in the entry: the branch that starts the work never runs."""
    return work.requires is not None and work.requires[0] in settings and settings[work.requires[0]] != work.requires[1]


def _settings_assigned(function: ast.AST) -> dict[str, object]:
    """``SETTINGS["mode"] = "blocking"`` at the top of an entry: settings it fixes for every path."""
    body = getattr(function, "body", [])
    return {ast.unparse(statement.targets[0]): statement.value.value for statement in body
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1
            and isinstance(statement.targets[0], (ast.Subscript, ast.Attribute))
            and isinstance(statement.value, ast.Constant)}


def _finally_names(function: ast.AST) -> set[str]:
    """Names and ``self.<attribute>`` handles a ``finally`` of the function acts on."""
    names: set[str] = set()
    for node in all_statements(function):
        if isinstance(node, ast.Try) and node.finalbody:
            for inner in (n for statement in node.finalbody for n in ast.walk(statement)):
                if isinstance(inner, ast.Name):
                    names.add(inner.id)
                elif isinstance(inner, ast.Attribute) and isinstance(inner.value, ast.Name) and inner.value.id == "self":
                    names.add(f"self.{inner.attr}")
    return names


def _on_default_executor(node: ast.AST) -> bool:
    """``asyncio.to_thread(f)``, ``loop.run_in_executor(None, f)``: threads of the loop's default executor."""
    if not isinstance(node, ast.Call):
        return False
    if isinstance(node.func, ast.Attribute) and node.func.attr in THREAD_BACKED:  # given None: the default one
        return bool(node.args) and isinstance(node.args[0], ast.Constant) and node.args[0].value is None
    return True


def _cleanup_handlers(function: ast.AST) -> list[tuple[ast.ExceptHandler, set[str]]]:
    """The ``except`` branches of the function, each with the names it acts on."""
    return [(node, {inner.id for statement in node.body for inner in ast.walk(statement) if isinstance(inner, ast.Name)})
            for node in all_statements(function) if isinstance(node, ast.ExceptHandler)]


def _in_cleanup_handler(call: ast.AST | None, name: str | None,
                        handlers: list[tuple[ast.ExceptHandler, set[str]]]) -> bool:
    """``except Exception: tidy(); driver.quit()``: ``tidy()`` raising is a failure within the cleanup."""
    return name is not None and any(name in names and any(_within(call, statement) for statement in handler.body)
                                    for handler, names in handlers)


def _called_on(call: ast.AST | None, name: str | None) -> bool:
    """``driver.get(url)`` for ``driver``: a call of the work's own method."""
    return isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) \
        and isinstance(call.func.value, ast.Name) and call.func.value.id == name


def _within(node: ast.AST | None, statement: ast.stmt | None) -> bool:
    return statement is not None and any(inner is node for inner in ast.walk(statement))


def _is_main_guard(statement: ast.stmt) -> bool:
    if not isinstance(statement, ast.If) or not isinstance(statement.test, ast.Compare):
        return False
    text = ast.unparse(statement.test)
    return "__name__" in text and "__main__" in text


def _settled_roots(tree: ast.Module, scope: Scope, known: Catalogue) -> set[str]:
    """Names and attributes whose work some code of the module settles (the EL901 policy)."""
    methods = known.settle_methods | known.receiver_settles | HAND_OFF_SETTLES
    roots: set[str] = set()
    loop_variables: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)) and isinstance(node.target, ast.Name):
            loop_variables[node.target.id] = _root_text(node.iter)
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            loop_variables[node.targets[0].id] = _root_text(node.value)  # worker = WORKERS.pop(key)
    for node in ast.walk(tree):
        settled: list[ast.expr] = []
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Attribute) and node.func.attr in methods:
                settled.append(node.func.value)
            if (scope.qualify(node.func) or "") in known.settle_functions:
                settled.extend(arg.value if isinstance(arg, ast.Starred) else arg for arg in node.args)
        elif isinstance(node, ast.Await):
            settled.append(node.value)
        for expression in settled:
            text = _root_text(expression)
            roots.add(text)
            roots.add(loop_variables.get(text, text))
            roots.add(text.split(".")[0] if not text.startswith("self.") else text)
    return roots


def _root_text(node: ast.expr) -> str:
    while isinstance(node, (ast.Subscript, ast.Call, ast.Starred)):
        node = node.func.value if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) else (
            node.value if not isinstance(node, ast.Call) else node.func)
    return ast.unparse(node)
