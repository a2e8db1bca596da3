"""Path-sensitive lifecycle of pending work, over the control-flow graph of a function.

The state at a point is the set of work *instances* that may be pending there: a
creation site and the names through which the program can still reach it (a variable,
a local container it was put in, an alarm slot). Paths merge by union, so work pending
on at least one path stays pending. A settling operation removes every instance
reachable through the name it acts on; rebinding a name makes the old instance
unreachable (it keeps running, and can no longer be settled). Work created in a loop
and bound to one variable thus leaks all but its last instance, unless it is also
collected in a container that is settled later.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, cast

from leak_lsp.analysis.catalogue import (
    AMBIGUOUS_SETTLES,
    ARGUMENT_SLOTS,
    AWAITED_IN_PLACE,
    AWAITED_WAIT_MODULES,
    BLOCKING_GUESSES,
    CALLBACK_KEYWORDS,
    CALLBACK_POSITION,
    CANCELLING_WAITS,
    COMBINATORS,
    CONSUMERS,
    CONTAINER_METHODS,
    CONTAINER_READS,
    CONTAINER_VIEWS,
    ENDED_WHEN_FALSE,
    ENDED_WHEN_NOT_NONE,
    ENDED_WHEN_TRUE,
    EVENT_LOOP,
    EXECUTOR,
    EXIT_STATUS_ATTRIBUTES,
    FRESH_LOOP_RUNNERS,
    FUTURE_RESOLVERS,
    FUTURE_WAIT,
    ITERATED_WAITS,
    ITERATOR_METHODS,
    LOGGER_METHODS,
    LOOP_RUN_METHODS,
    NON_WAITING_KEYWORDS,
    OBSERVER_MODULES,
    OBSERVERS,
    PARTIAL_WAIT,
    QUEUE_ITEM_DONE,
    QUEUE_JOIN,
    RECEIVER_HINTS,
    SIGNALLED_THROUGH_ARGUMENTS,
    STARTS_ONLY_WITH,
    THREAD_BACKED,
    Catalogue,
    catalogue,
)
from leak_lsp.analysis.cfg import Condition, Graph, Node, build_graph
from leak_lsp.analysis.model import Related
from leak_lsp.analysis.names import Scope
from leak_lsp.analysis.raising import RaiseTest
from leak_lsp.rules.rule import Alarm, WorkKind

if TYPE_CHECKING:
    from leak_lsp.analysis.project_view import ExternalHelper

Mode = Literal["handler", "helper", "module"]
LoopContext = Literal["none", "fresh", "reused"]
Instance = tuple[int, frozenset[str]]
State = frozenset[Instance]

_FRESH = "#"  # names of work created in the current statement, not yet bound
_SLOT = "@"  # names of process-wide timer slots
_DRAINED = "~"  # names of queues whose ``join()`` waits for the work of the threads draining them


class Held(Enum):
    """Where the program holds an executor or loop: what decides whether a fix can name it."""

    MODULE = "module"  # a module-level variable
    LOCAL = "local"  # a variable of the function
    WITH = "with"  # bound by a ``with`` statement, which settles its work at the block's exit
    ATTRIBUTE = "attribute"  # an attribute (``self.pool``), or a name guessed to be one (``executor``)


@dataclass(frozen=True)
class Owner:
    """The executor or loop work was submitted to."""

    held: Held
    name: str  # its source text: ``pool``, ``self.pool``

    @property
    def nameable(self) -> bool:
        """A fix can settle its work by naming it: a ``with`` block's own exit already does."""
        return self.held is not Held.WITH


class Origin(Enum):
    """How a site's work comes to be pending at its node: with the node, what tells sites apart."""

    STARTED = "started"  # a call here starts it: one site per kind
    INPUT = "input"  # a helper's parameter, attribute or timer slot, where its callers may hold work
    HELPER_LEAKS = "helper-leaks"  # a helper called here leaves it running
    HELPER_RETURNS = "helper-returns"  # a helper called here returns it
    HELPER_RAISES = "helper-raises"  # a helper called here leaves it running when a call in it raises
    CALLBACK_LEAKS = "callback-leaks"  # the function a thread or timer started here runs leaves it running


class SiteKey(NamedTuple):
    node: int  # id() of the node the work is pending from (the helper's function, for its inputs)
    origin: Origin
    number: int  # among the sites of one node and origin: the kind's id(), or the work's index in a summary


@dataclass
class Work:
    """A creation site of pending work."""

    kind: WorkKind | None  # None for a helper's parameter
    node: ast.AST  # the scheduling expression: where the finding points
    statement: ast.stmt | None
    name: str | None = None  # the variable it was first bound to
    owner: Owner | None = None  # the executor or loop it was submitted to
    slot: str | None = None
    alarm: Alarm | None = None
    slot_source: str | None = None
    iterator: bool = False
    on_module_loop: bool = False
    via: tuple[Related, ...] = ()  # where the helpers called here schedule it, outermost first
    helper: str | None = None  # the helper called here that schedules it
    attributes: frozenset[str] = frozenset()  # ``self.<attribute>`` names a helper leaves it reachable through
    resolves: bool = False  # a callback that resolves a future: waiting for the future waits for it
    guarded: bool = False  # started only when a module-level setting has some value (it may be switched off)
    requires: tuple[str, object] | None = None  # ``SETTINGS["mode"] == "thread"``: the setting and the value


@dataclass(frozen=True)
class HandOff:
    """Where pending work went that the analysis cannot follow."""

    target: str  # for the message: "`self.worker`", "the module-level `TASKS`", "`register()`"
    root: str  # what code settling it would name: "self.worker", "TASKS"


@dataclass(frozen=True)
class Raised:
    """Where an exception leaves work running: the message's words and the raising call."""

    text: str  # "`driver.get()` on line 43 raises"
    location: Related


@dataclass
class Summary:
    """What a helper does to work, seen from its callers."""

    leaks: list[Work] = field(default_factory=list)
    returns: list[Work] = field(default_factory=list)
    settles: set[int] = field(default_factory=set)  # indexes of parameters whose work it settles
    disarms: set[str] = field(default_factory=set)  # process-wide timer slots it disarms
    settles_attributes: set[str] = field(default_factory=set)  # carried names (``self.x``, drained queues) it settles
    raise_leaks: list[tuple[Work, Raised]] = field(default_factory=list)  # work it leaves running when a call raises
    dependencies: set[str] = field(default_factory=set)  # other modules the summary was drawn from
    params: list[str] = field(default_factory=list)


@dataclass
class Result:
    sites: list[Work]
    pending_at_exits: dict[int, list[Node]]  # site -> exits where it may be pending
    handoffs: dict[int, HandOff]  # site -> where it went
    graph: Graph
    returned: set[int] = field(default_factory=set)
    exit_states: dict[int, State] = field(default_factory=dict)  # exit node id -> what may be pending there
    pending_on_raise: dict[int, list[Node]] = field(default_factory=dict)  # site -> crash exits it outlives
    raised_in_helpers: dict[int, Raised] = field(default_factory=dict)  # site -> how a called helper leaks it
    gives_up: dict[int, ast.Call] = field(default_factory=dict)  # site -> a wait whose timeout leaves it running
    too_deep: dict[int, ast.AST] = field(default_factory=dict)  # statements skipped: nested deeper than the stack


@dataclass
class Environment:
    """What the analysis of one function needs to know about its module."""

    scope: Scope
    module_receivers: dict[str, str]  # module-level name -> receiver kind
    module_names: set[str]
    summarize: Callable[[ast.AST, str], Summary | None]  # helper node -> summary (None while being computed)
    methods_of: Callable[[str], dict[str, ast.AST]]  # class name -> its methods
    instance_classes: dict[str, str]  # module-level name -> the local class it is an instance of
    attribute_receivers: dict[str, tuple[str, Owner]]  # "self.pool" -> (receiver kind, owner), from any method
    external: Callable[[ast.Call], ExternalHelper | None]  # a helper in another module of the workspace
    buffers: list[tuple[WorkKind, ast.Call, list[str]]]  # module-level buffers and the names reaching them
    nodes_of: Callable[[ast.AST], list[ast.AST]]  # a function's nodes, not those of the scopes nested in it
    models: tuple[WorkKind, ...] = ()  # the project's declared library models
    lineage: Callable[[list[str]], list[str]] = list  # a class lineage continued into other modules


def analyze_function(
    function: ast.FunctionDef | ast.AsyncFunctionDef | ast.Module,
    env: Environment,
    mode: Mode,
    owner_class: str | None = None,
    body: list[ast.stmt] | None = None,
) -> Result:
    may_raise = RaiseTest(env.scope.child(function), function, catalogue(env.models)) if mode != "module" else None
    graph = build_graph(function, body, may_raise)
    analysis = _Analysis(function, env, mode, owner_class, graph)
    return analysis.run()


class _Analysis:
    def __init__(self, function: ast.AST, env: Environment, mode: Mode, owner_class: str | None,
                 graph: Graph) -> None:
        self.function = function
        self.env = env
        self.mode = mode
        self.owner_class = owner_class
        self.self_name = _self_parameter(function) if owner_class is not None else None
        self.graph = graph
        self.scope = env.scope.child(function) if not isinstance(function, ast.Module) else env.scope
        self.catalogue = catalogue(env.models)
        self.sites: list[Work] = []
        self.site_of: dict[SiteKey, int] = {}
        self.handoffs: dict[int, HandOff] = {}
        self.returned: set[int] = set()
        self.raised_in_helpers: dict[int, Raised] = {}
        self.gives_up: dict[int, ast.Call] = {}
        self.too_deep: dict[int, ast.AST] = {}
        self.own_nodes = env.nodes_of(function)
        self.guarded = _guarded_by_settings(self.own_nodes, env.module_names)
        self.local_names = _assigned_names(function, self.own_nodes) if not isinstance(function, ast.Module) else set()
        self.globals = {name for node in self.own_nodes if isinstance(node, (ast.Global, ast.Nonlocal)) for name in node.names}
        self.collected_into: dict[str, set[str]] = {}
        self.constructions: dict[str, ast.Call] = {}  # variable -> the constructor call of the work it starts
        self.imported_instances = {  # ``wrapper = WebDriverWrapper()``: an object of a class of another module
            target.id for node in self.own_nodes if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
            and _root_name(node.value.func) in env.scope.imports for target in node.targets
            if isinstance(target, ast.Name)}
        self.types, self.receivers, self.element_of = self._prepass()
        self.nested_functions = {node.name: node for node in self.own_nodes
                                 if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
        self.instance_classes = {**env.instance_classes, **{  # ``guard = TimeoutGuard(context)``
            target.id: node.value.func.id for node in self.own_nodes
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Name)
            and node.value.func.id in env.scope.classes for target in node.targets if isinstance(target, ast.Name)}}

    # -- set-up -----------------------------------------------------------------------
    def _prepass(self) -> tuple[dict[str, str], dict[str, tuple[str, Owner]], dict[str, str]]:
        """Flow-insensitive facts: constructed types, executors and loops, loop variables."""
        types: dict[str, str] = {}
        receivers: dict[str, tuple[str, Owner]] = {
            name: (kind, Owner(Held.MODULE, name)) for name, kind in self.env.module_receivers.items()
        }
        element_of: dict[str, str] = {}
        for node in self.own_nodes:
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Call):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, (ast.Name, ast.Attribute)):
                        name = target.id if isinstance(target, ast.Name) else ast.unparse(target)
                        self._note_constructed(name, node.value, types, receivers, Held.LOCAL)
            elif isinstance(node, (ast.With, ast.AsyncWith)):
                for item in node.items:
                    if isinstance(item.optional_vars, ast.Name) and isinstance(item.context_expr, ast.Call):
                        self._note_constructed(item.optional_vars.id, item.context_expr, types, receivers, Held.WITH)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr in CONTAINER_METHODS and isinstance(node.func.value, ast.Name):
                # ``threads.append(t)`` before ``t.start()``: the container reaches what t starts
                for argument in node.args:
                    if isinstance(argument, ast.Name):
                        self.collected_into.setdefault(argument.id, set()).add(node.func.value.id)
            elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
                if isinstance(node.target, ast.Name):
                    root = _root_name(node.iter)
                    if root:
                        element_of[node.target.id] = root
                        if root in types:
                            types.setdefault(node.target.id, types[root])
        for node in self.own_nodes:
            # threads = [Thread(target=f) for ...]: the container's elements have the type
            if isinstance(node, ast.Assign) and isinstance(node.value, (ast.ListComp, ast.SetComp)):
                element = node.value.elt
                if isinstance(element, ast.Call):
                    constructed = self._constructed_type(element)
                    for target in node.targets:
                        if isinstance(target, ast.Name) and constructed:
                            types.setdefault(target.id, constructed)
        for variable, container in element_of.items():
            if container in types:
                types.setdefault(variable, types[container])
        return types, receivers, element_of

    def _note_constructed(self, name: str, call: ast.Call, types: dict[str, str],
                          receivers: dict[str, tuple[str, Owner]], held: Held) -> None:
        constructed = self._constructed_type(call)
        if constructed:
            types.setdefault(name, constructed)
            self.constructions.setdefault(name, call)
        receiver = self._receiver_of_constructor(call)
        if receiver:
            receivers[name] = (receiver, Owner(held, name))

    def _constructed_type(self, call: ast.Call) -> str | None:
        started = self.catalogue.started_types()
        for name in self.env.lineage(self.scope.class_lineage(self.scope.qualify(call.func))):
            if name in started:
                return name
        return None

    def _receiver_of_constructor(self, call: ast.Call) -> str | None:
        for name in self.env.lineage(self.scope.class_lineage(self.scope.qualify(call.func))):
            if name in self.catalogue.receivers:
                return self.catalogue.receivers[name]
        return None

    # -- fixpoint -----------------------------------------------------------------------
    def run(self) -> Result:
        nodes = self.graph.nodes
        predecessors: dict[int, list[tuple[int, Condition | None]]] = {node.id: [] for node in nodes}
        for node in nodes:
            for target, condition in node.successors:
                predecessors[target].append((node.id, condition))
        entry_state = self._entry_state()
        outputs: dict[int, State] = {}
        inputs: dict[int, State] = {0: entry_state}
        worklist = [0]
        queued = {0}
        visits = 0
        while worklist and visits < 50 * len(nodes) + 100:
            visits += 1
            node_id = worklist.pop(0)
            queued.discard(node_id)
            node = nodes[node_id]
            if node_id == 0:
                state = entry_state
            else:
                state = frozenset().union(*(
                    self._refine(outputs[source], condition)
                    for source, condition in predecessors[node_id] if source in outputs
                ))
            inputs[node_id] = state
            new = self._transfer(node, state)
            if outputs.get(node_id) == new:
                continue
            outputs[node_id] = new
            for target, _ in node.successors:
                if target not in queued:
                    worklist.append(target)
                    queued.add(target)
        pending: dict[int, list[Node]] = {}
        for node in self.graph.exits:
            for site, _ in inputs.get(node.id, frozenset()):
                if node not in pending.setdefault(site, []):
                    pending[site].append(node)
        exit_states = {node.id: inputs.get(node.id, frozenset()) for node in self.graph.exits}
        on_raise: dict[int, list[Node]] = {}
        for node in self.graph.crashes:
            for site, _ in inputs.get(node.id, frozenset()):
                on_raise.setdefault(site, []).append(node)
        return Result(self.sites, pending, self.handoffs, self.graph, self.returned, exit_states, on_raise,
                      self.raised_in_helpers, self.gives_up, self.too_deep)

    def _entry_state(self) -> State:
        if self.mode == "handler":
            return self._buffered_state()
        if self.mode != "helper" or isinstance(self.function, ast.Module):
            return frozenset()
        state = set()
        for slot in sorted(self.catalogue.fixed_slots | set(ARGUMENT_SLOTS)):  # which ones the helper settles
            site = self._site(None, self.function, None, Origin.INPUT, len(self.sites))
            self.sites[site].slot = slot
            state.add((site, frozenset({_SLOT + slot})))
        for parameter in [*parameters(self.function), *sorted(self._attributes_used())]:
            site = self._site(None, self.function, None, Origin.INPUT, len(self.sites))
            self.sites[site].name = parameter
            state.add((site, frozenset({parameter})))
        return frozenset(state)

    def _attributes_used(self) -> set[str]:
        """Carried names a helper may settle for its callers: ``self.<attribute>`` in a method, and the
        queues it joins (``_threads.join()``: the threads draining a shared queue)."""
        attributes = {text for node in self.own_nodes if isinstance(node, ast.Attribute)
                      and (text := self.attribute_handle(node)) is not None}
        joined = {_DRAINED + node.func.value.id for node in self.own_nodes if isinstance(node, ast.Call)
                  and isinstance(node.func, ast.Attribute) and node.func.attr == QUEUE_JOIN
                  and isinstance(node.func.value, ast.Name) and node.func.value.id not in self.local_names}
        return attributes | joined

    def attribute_handle(self, node: ast.expr) -> str | None:
        """``self.worker`` in a method: tracked across the methods of the class like a variable."""
        if self.self_name is not None and isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.value.id == self.self_name:
            return f"self.{node.attr}"
        return None

    def _buffered_state(self) -> State:
        """Buffers created at import time hold this invocation's data from its start."""
        state = set()
        for kind, call, names in self.env.buffers:
            assert kind.buffer_slot is not None
            site = self._site(kind, call, None, name=names[0] if names else None, slot=kind.buffer_slot)
            state.add((site, frozenset({_SLOT + kind.buffer_slot, *names})))
        return frozenset(state)

    def _site(self, kind: WorkKind | None, node: ast.AST, statement: ast.stmt | None,
              origin: Origin = Origin.STARTED, number: int | None = None, **details: object) -> int:
        key = SiteKey(id(node), origin, id(kind) if number is None else number)
        if key not in self.site_of:
            self.site_of[key] = len(self.sites)
            self.sites.append(Work(kind, node, statement, **details))  # type: ignore[arg-type]
        return self.site_of[key]

    # -- transfer -------------------------------------------------------------------------
    def _transfer(self, node: Node, state: State) -> State:
        """The state after a node; a statement nested too deeply to walk is skipped, not the function."""
        try:
            return self._apply(node, state)
        except RecursionError:
            if node.stmt is not None:
                self.too_deep[id(node.stmt)] = node.stmt
            return state

    def _apply(self, node: Node, state: State) -> State:
        stmt = node.stmt
        if node.kind == "with-exit" and isinstance(stmt, (ast.With, ast.AsyncWith)):
            return self._with_exit(stmt, state)
        if node.kind == "for" and isinstance(stmt, (ast.For, ast.AsyncFor)):
            return _strip_fresh(_Step(self, state, stmt).for_header(stmt))
        if node.kind == "test" and isinstance(stmt, ast.expr):
            step = _Step(self, state, None)
            step.evaluate(stmt)
            return _strip_fresh(step.state)
        if node.kind != "stmt" or stmt is None:
            return state
        return _strip_fresh(_Step(self, state, cast(ast.stmt, stmt)).statement(stmt))

    def _with_exit(self, stmt: ast.With | ast.AsyncWith, state: State) -> State:
        names: set[str] = set()
        owners: set[Owner] = set()
        for item in stmt.items:
            if isinstance(item.optional_vars, ast.Name):
                names.add(item.optional_vars.id)
                owners.add(Owner(Held.WITH, item.optional_vars.id))
            if isinstance(item.context_expr, ast.Name):
                names.add(item.context_expr.id)
        kept = set()
        for site, bound in state:
            work = self.sites[site]
            by_name = bool(bound & names) and work.kind is not None and work.kind.with_settles
            if not (by_name or work.owner in owners):
                kept.add((site, bound))
        step = _Step(self, frozenset(kept), stmt)
        for item in stmt.items:
            step.context_manager(item.context_expr, "__aexit__" if isinstance(stmt, ast.AsyncWith) else "__exit__")
        return _strip_fresh(step.state)

    def _refine(self, state: State, condition: Condition | None) -> State:
        """Drop work that cannot be pending on a branch: ``if t:`` false, ``t.is_alive()`` false."""
        if condition is None:
            return state
        name = _settled_on_branch(condition.test, condition.value)
        return _remove_named(state, name) if name else state


def _settled_on_branch(test: ast.expr, value: bool) -> str | None:
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return _settled_on_branch(test.operand, not value)
    if isinstance(test, ast.BoolOp):
        return _settled_on_compound(test, value)
    if _handle(test) is not None:
        return _handle(test) if not value else None
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.comparators[0], ast.Constant) \
            and test.comparators[0].value is None:
        is_none = isinstance(test.ops[0], ast.Is) == value
        left = test.left
        if is_none:
            return _handle(left)
        if isinstance(left, ast.Call) and isinstance(left.func, ast.Attribute) and left.func.attr in ENDED_WHEN_NOT_NONE:
            return _handle(left.func.value)  # ``p.poll() is not None``: the child has ended
        if isinstance(left, ast.Attribute) and left.attr in EXIT_STATUS_ATTRIBUTES:
            return _handle(left.value)
        return None
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.left, ast.Name) \
            and _is_zero(test.comparators[0]) and isinstance(test.ops[0], (ast.Eq, ast.NotEq)):
        in_child = isinstance(test.ops[0], ast.Eq) == value  # ``if pid == 0:`` runs in the forked child
        return test.left.id if in_child else None
    if isinstance(test, ast.Call) and isinstance(test.func, ast.Attribute):
        if test.func.attr in (ENDED_WHEN_TRUE if value else ENDED_WHEN_FALSE):
            return _handle(test.func.value)
    return None


def _handle(node: ast.expr) -> str | None:
    """The name a condition tests work through: a variable, or ``self.<attribute>`` in a method."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
        return f"self.{node.attr}"
    return None


def _settled_on_compound(test: ast.BoolOp, value: bool) -> str | None:
    """``t and t.is_alive()`` false, ``t is None or t.done()`` true: the work behind ``t`` is settled.

    The branch where every operand took the deciding value (``and`` true, ``or`` false) follows
    from each operand, so one operand that settles suffices; on the other branch, only one
    operand is known to have taken it, so every operand must settle the same name.
    """
    every_operand = value == isinstance(test.op, ast.Or)
    names = [_settled_on_branch(operand, value) for operand in test.values]
    if every_operand:
        return names[0] if names[0] is not None and all(name == names[0] for name in names) else None
    return next((name for name in names if name is not None), None)


def _remove_named(state: State, name: str) -> State:
    return frozenset(instance for instance in state if name not in instance[1])


def _strip_fresh(state: State) -> State:
    return frozenset((site, frozenset(n for n in names if not n.startswith(_FRESH))) for site, names in state)


class _Step:
    """The effect of one statement (or test) on the state."""

    def __init__(self, analysis: _Analysis, state: State, statement: ast.stmt | None) -> None:
        self.a = analysis
        self.state = state
        self.current = statement

    # -- statements ----------------------------------------------------------------------
    def statement(self, stmt: ast.AST) -> State:
        if isinstance(stmt, ast.Expr):
            self.evaluate(stmt.value, top=True)
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            if stmt.value is not None:
                handles = self.evaluate(stmt.value, top=True)
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                for target in targets:
                    self.assign(target, stmt.value, handles)
        elif isinstance(stmt, ast.AugAssign):
            handles = self.evaluate(stmt.value)
            if isinstance(stmt.target, ast.Name) and handles:
                self.collect(stmt.target.id, handles)
        elif isinstance(stmt, ast.Return):
            if stmt.value is not None:
                handles = self.evaluate(stmt.value)
                if self.a.mode == "helper" and handles:
                    for site, names in self.state:
                        if names & handles and self.a.sites[site].kind is not None:
                            self.a.returned.add(site)
                    self.state = frozenset(i for i in self.state if not (i[1] & handles and self.a.sites[i[0]].kind))
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            for item in stmt.items:
                handles = self.evaluate(item.context_expr)
                if item.optional_vars is not None:
                    self.assign(item.optional_vars, item.context_expr, handles)
                self.context_manager(item.context_expr, "__aenter__" if isinstance(stmt, ast.AsyncWith) else "__enter__")
        elif isinstance(stmt, ast.Raise):
            if stmt.exc is not None:
                self.evaluate(stmt.exc)
        elif isinstance(stmt, ast.Delete):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    self.unbind(target.id)
        elif isinstance(stmt, ast.Match):
            self.evaluate(stmt.subject)
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            pass
        elif isinstance(stmt, ast.stmt):
            for child in ast.iter_child_nodes(stmt):
                if isinstance(child, ast.expr):
                    self.evaluate(child)
        return self.state

    def for_header(self, stmt: ast.For | ast.AsyncFor) -> State:
        handles = self.evaluate(stmt.iter)
        broken = any(isinstance(node, ast.Break) for node in _walk_loop_body(stmt.body))
        target = stmt.target.id if isinstance(stmt.target, ast.Name) else None
        if target and _settles_name(stmt.body, target, self.a.catalogue, self.a.scope):
            self.settle(handles)
        if not broken:
            self.consume(stmt.iter, handles)
        for name in _stored_names(stmt.target):
            self.unbind(name)
        if isinstance(stmt, ast.AsyncFor):
            self.settle({h for h in handles if h.startswith(_FRESH)})
        return self.state

    # -- names -----------------------------------------------------------------------------
    def assign(self, target: ast.expr, value: ast.expr, handles: set[str]) -> None:
        if isinstance(target, ast.Name):
            if target.id in self.a.globals:
                self.hand_off(handles, f"the module-level `{target.id}`", target.id)
                return
            self.bind(target.id, handles)
        elif isinstance(target, (ast.Tuple, ast.List)):
            if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts):
                for part, part_value in zip(target.elts, value.elts):
                    self.assign(part, part_value, self.handles_of(part_value))
            else:
                for part in target.elts:
                    self.assign(part.value if isinstance(part, ast.Starred) else part, value, handles)
        elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) and handles:
            self.collect_or_hand_off(target.value.id, handles)
        elif isinstance(target, ast.Attribute) and self.a.attribute_handle(target) is not None:
            self.bind(self.a.attribute_handle(target) or "", handles)
        elif isinstance(target, ast.Attribute) and handles:
            self.hand_off(handles, f"`{ast.unparse(target)}`", ast.unparse(target))
        elif isinstance(target, ast.Starred):
            self.assign(target.value, value, handles)

    def bind(self, name: str, handles: set[str]) -> None:
        """``name = value``: the name leaves what it held and reaches what the value reaches, and the
        attributes of a constructed object (``#3.driver`` becomes ``wrapper.driver``)."""
        matched = {instance for instance in self.state if instance[1] & handles}
        prefixes = tuple(f"{handle}." for handle in handles)
        self.state = frozenset(
            (site, frozenset({n for n in names if n != name and not n.startswith(name + ".")}
                             | ({name} if (site, names) in matched else set())
                             | {name + n[n.index("."):] for n in names if n.startswith(prefixes)}))
            for site, names in self.state
        )
        for site, _ in matched:
            work = self.a.sites[site]
            if work.name is None and work.kind is not None:
                work.name = name

    def unbind(self, name: str) -> None:
        self.state = frozenset((site, names - {name}) for site, names in self.state)

    def collect(self, container: str, handles: set[str]) -> None:
        self.state = frozenset(
            (site, names | {container}) if names & handles else (site, names) for site, names in self.state
        )

    def collect_or_hand_off(self, container: str, handles: set[str]) -> None:
        if container in self.a.local_names and container not in self.a.globals:
            self.collect(container, handles)
        elif container in self.a.env.module_names or container in self.a.globals:
            self.hand_off(handles, f"the module-level `{container}`", container)
        else:
            self.hand_off(handles, f"`{container}`", container)

    def hand_off(self, handles: set[str], target: str, root: str) -> None:
        kept = set()
        for site, names in self.state:
            work = self.a.sites[site]
            if names & handles and work.kind is not None:
                if not work.kind.inert:
                    self.a.handoffs.setdefault(site, HandOff(target, root))
            else:
                kept.add((site, names))
        self.state = frozenset(kept)

    def settle(self, handles: Iterable[str]) -> None:
        handles = set(handles)
        if handles:
            self.state = frozenset(instance for instance in self.state if not instance[1] & handles)

    def settle_where(self, handles: set[str], accepts: Callable[[Work], bool]) -> None:
        self.state = frozenset(
            (site, names) for site, names in self.state
            if not (names & handles and accepts(self.a.sites[site]))
        )

    def consume(self, iterable: ast.expr, handles: set[str]) -> None:
        """Iterating to the end consumes executor ``map`` iterators and ``as_completed``."""
        self.settle_where(handles, lambda work: work.iterator)
        if isinstance(iterable, ast.Call):
            qualified = self.a.scope.qualify(iterable.func) or ""
            if qualified.endswith(ITERATED_WAITS):
                for argument in iterable.args:
                    self.settle(self.handles_of(argument))

    def handles_of(self, node: ast.expr) -> set[str]:
        """Names through which an expression reaches pending work, without evaluating calls."""
        if isinstance(node, ast.Name):
            return {node.id} if any(node.id in names for _, names in self.state) else set()
        attribute = self.a.attribute_handle(node)
        if attribute is not None:
            return {attribute} if any(attribute in names for _, names in self.state) else set()
        if isinstance(node, ast.Starred):
            return self.handles_of(node.value)
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            return set().union(*(self.handles_of(element) for element in node.elts)) if node.elts else set()
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in CONTAINER_VIEWS:
            return self.handles_of(node.func.value)
        return set()

    # -- expressions -------------------------------------------------------------------------
    def evaluate(self, node: ast.expr, top: bool = False, awaited: bool = False) -> set[str]:
        """Apply the effects of an expression; return the names through which its value reaches work."""
        if isinstance(node, ast.Await):
            handles = self.evaluate(node.value, awaited=True)
            self.settle_where(handles, lambda work: work.kind is None or work.kind.awaitable or work.resolves)
            return {h for h in handles if any(h in names for _, names in self.state)}
        if isinstance(node, ast.Call):
            return self.call(node, top, awaited)
        if isinstance(node, ast.NamedExpr):
            handles = self.evaluate(node.value)
            self.bind(node.target.id, handles)
            return {node.target.id} if handles else set()
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            return self.comprehension(node)
        if isinstance(node, (ast.Lambda,)):
            return set()
        if isinstance(node, ast.Name) or self.a.attribute_handle(node) is not None:
            return self.handles_of(node)
        if isinstance(node, ast.Dict):
            handles = set()
            for part in [*node.keys, *node.values]:
                if part is not None:
                    handles |= self.evaluate(part)
            return handles
        handles = set()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                found = self.evaluate(child)
                if isinstance(node, (ast.Tuple, ast.List, ast.Set, ast.Starred, ast.IfExp, ast.BoolOp)):
                    handles |= found
        return handles

    def comprehension(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp) -> set[str]:
        elements = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
        for generator in node.generators:
            handles = self.evaluate(generator.iter)
            target = generator.target.id if isinstance(generator.target, ast.Name) else None
            checks = [*elements, *generator.ifs]
            if target and _settles_name(checks, target, self.a.catalogue, self.a.scope):
                self.settle(handles)
            if not isinstance(node, ast.GeneratorExp):
                self.consume(generator.iter, handles)
        result: set[str] = set()
        for element in elements:
            result |= {h for h in self.evaluate(element) if h.startswith(_FRESH)}
        return result

    def call(self, node: ast.Call, top: bool, awaited: bool) -> set[str]:
        func = node.func
        argument_handles = [self.evaluate(argument) for argument in node.args]
        keyword_handles = {kw.arg: self.evaluate(kw.value) for kw in node.keywords}
        receiver_handles = self.evaluate(func.value) if isinstance(func, ast.Attribute) else set()
        all_arguments: set[str] = set().union(*argument_handles, *keyword_handles.values()) if (argument_handles or keyword_handles) else set()
        qualified = self.a.scope.qualify(func) or ""
        catalogue = self.a.catalogue

        # a process-wide timer armed or disarmed
        if qualified in catalogue.alarms:
            return self.alarm(node, *catalogue.alarms[qualified])
        if qualified in catalogue.cancels:
            kind, alarm = catalogue.cancels[qualified]
            self.settle({_SLOT + self.slot_of(node, alarm)})
            return set()

        if isinstance(func, ast.Attribute) and func.attr in catalogue.flushed_by:
            self.settle({_SLOT + slot for slot in catalogue.flushed_by[func.attr]})  # and on: the receiver may settle more
        if isinstance(func, ast.Attribute):
            handled = self.method_call(node, func, receiver_handles, all_arguments, awaited)
            if handled is not None:
                return handled
        # functions that settle the work passed to them
        if qualified in catalogue.settle_functions and qualified not in COMBINATORS:
            return self.settle_function(node, qualified, argument_handles, all_arguments)
        if qualified in FRESH_LOOP_RUNNERS or "." in qualified and qualified.rpartition(".")[2] in LOOP_RUN_METHODS:
            self.settle(all_arguments)
            return set()
        if qualified in catalogue.created_by:  # subprocess.Popen(...), asyncio.create_task(...), os.fork()
            return self.created(node, qualified, catalogue.created_by[qualified], all_arguments, awaited)
        # helpers and coroutines of this module
        target = self.local_function(func)
        if target is not None:
            function, name = target
            return self.helper_call(node, name, lambda: self.a.env.summarize(function, name),
                                    isinstance(function, ast.AsyncFunctionDef), argument_handles, keyword_handles,
                                    top, awaited, constructs=getattr(function, "name", "") == "__init__")
        external = self.a.env.external(node)
        if external is not None:
            return self.helper_call(node, external.name, lambda: external.summary, external.is_async,
                                    argument_handles, keyword_handles, top, awaited,
                                    constructs=external.name.endswith(".__init__"))
        if qualified in CONSUMERS:
            for argument, handles in zip(node.args, argument_handles):
                self.consume(argument, handles)
            return set()
        if all_arguments and not self.observer(qualified, func):
            self.hand_off(all_arguments, f"`{ast.unparse(func)}()`", ast.unparse(func))
        return set()

    def method_call(self, node: ast.Call, func: ast.Attribute, receiver_handles: set[str], all_arguments: set[str],
                    awaited: bool) -> set[str] | None:
        """A method that starts, submits, settles, collects or reads work; None when it is none of those."""
        method, receiver = func.attr, func.value
        if method in self.a.catalogue.started_methods:
            started = self.started_kind(receiver, method)
            if started is not None:
                return self.start(node, receiver, started)
        receiver_kind, owner = self.receiver(receiver)
        if receiver_kind is not None:
            handled = self.receiver_call(node, method, receiver_kind, owner, all_arguments, awaited)
            if handled is not None:
                return handled
        if method == QUEUE_JOIN and isinstance(receiver, ast.Name):
            self.settle({_DRAINED + receiver.id})  # ``q.join()``: the workers marked every item done
        if method in self.a.catalogue.settle_methods and receiver_handles:  # t.join(), fut.result(), p.wait()
            self.settle_where(receiver_handles, lambda work: (work.kind is None and method not in AMBIGUOUS_SETTLES)
                              or (work.kind is not None and method in work.kind.settle_methods)
                              or (work.resolves and method == FUTURE_WAIT))
            return set()
        if method in CONTAINER_METHODS and isinstance(receiver, ast.Name) and all_arguments:
            self.collect_or_hand_off(receiver.id, all_arguments)
            return set()
        if method in CONTAINER_METHODS and self.a.attribute_handle(receiver) is not None and all_arguments:
            self.collect(self.a.attribute_handle(receiver) or "", all_arguments)  # ``self.threads.append(t)``
            return set()
        if method in CONTAINER_READS and receiver_handles:
            return receiver_handles  # a container of work: what it holds
        return None

    def start(self, node: ast.Call, receiver: ast.expr, started: WorkKind) -> set[str]:
        """``Thread(...).start()``, ``t.start()``: the work is reachable through the receiver, the containers
        it was put in, and the queues its callback drains."""
        names = {receiver.id} if isinstance(receiver, ast.Name) else set()
        if isinstance(receiver, ast.Name):
            if receiver.id in self.a.element_of:
                names.add(self.a.element_of[receiver.id])
            names |= self.a.collected_into.get(receiver.id, set())
        attribute = self.a.attribute_handle(receiver)
        if attribute is not None:
            names.add(attribute)
        constructor = receiver if isinstance(receiver, ast.Call) else self.a.constructions.get(ast.unparse(receiver))
        names |= self.queues_drained(constructor)
        fresh = self.create(started, node, names=names, name=receiver.id if isinstance(receiver, ast.Name) else attribute)
        if isinstance(receiver, ast.Attribute) and attribute is None:
            text = ast.unparse(receiver)
            self.hand_off(fresh, f"`{text}`", text)
        elif isinstance(receiver, ast.Name) and receiver.id in self.a.globals:
            self.hand_off(fresh, f"the module-level `{receiver.id}`", receiver.id)
        self.callback_work(constructor, node)
        return fresh if started.start_returns_handle else set()

    def receiver_call(self, node: ast.Call, method: str, receiver_kind: str, owner: Owner | None,
                      all_arguments: set[str], awaited: bool) -> set[str] | None:
        """``executor.submit(...)``, ``loop.create_task(...)``, ``executor.shutdown()``; None for other methods."""
        catalogue = self.a.catalogue
        submitted = catalogue.submitted_to.get((receiver_kind, method))
        if submitted is None and owner and owner.held is Held.ATTRIBUTE and method not in BLOCKING_GUESSES:
            submitted = catalogue.submitted_to.get((EXECUTOR, method))  # ``self.pool.submit``: a guess by name
        if submitted is not None:
            if method in AWAITED_IN_PLACE and awaited:
                return set()
            future = _resolved_future(node)
            return self.create(submitted, node, names=future, resolves=bool(future), owner=owner,
                               iterator=method in ITERATOR_METHODS,
                               on_module_loop=bool(owner and owner.held is Held.MODULE and receiver_kind == EVENT_LOOP))
        if method in catalogue.receiver_settles and owner \
                and not any(_false_keyword(node, keyword) for keyword in NON_WAITING_KEYWORDS):
            self.state = frozenset(i for i in self.state if self.a.sites[i[0]].owner != owner)
            return set()
        if method in catalogue.receiver_argument_settles or method in LOOP_RUN_METHODS:
            self.settle(all_arguments)
            return set()
        return None

    def settle_function(self, node: ast.Call, qualified: str, argument_handles: list[set[str]],
                        all_arguments: set[str]) -> set[str]:
        """``wait(futures)``, ``await asyncio.wait(tasks)``: the work passed is settled, unless the wait may
        return after the first (``return_when``) or settles only as it is iterated (``as_completed``)."""
        keyword, complete = PARTIAL_WAIT
        partial = _keyword_value(node, keyword, lambda value: not value.endswith(complete))
        if qualified in CANCELLING_WAITS and _has_timeout(node, position=CANCELLING_WAITS[qualified]):
            self.note_gives_up(node, argument_handles[0] if argument_handles else set())
        if qualified.startswith(AWAITED_WAIT_MODULES):
            return set() if partial else all_arguments  # settled when awaited
        if not partial and not qualified.endswith(ITERATED_WAITS):
            self.settle(all_arguments)
        return set()

    def created(self, node: ast.Call, qualified: str, kind: WorkKind, all_arguments: set[str], awaited: bool) -> set[str]:
        """Work a function call starts: ``subprocess.Popen(...)``, ``asyncio.gather(...)`` (which carries its
        arguments' work), ``_thread.start_new_thread(f, (lock,))`` (settled through what it is given)."""
        for prefix, position, value in STARTS_ONLY_WITH:
            if qualified.startswith(prefix) and len(node.args) > position \
                    and (self.a.scope.qualify(node.args[position]) or "") != value:
                return set()
        self.settle({h for h in all_arguments if self._is_inert(h)})
        passed_on = all_arguments if qualified in COMBINATORS else set()
        if awaited and kind.awaitable:
            return passed_on
        signals = set()
        if qualified in SIGNALLED_THROUGH_ARGUMENTS:  # no handle: settled through an Event or Lock it is given
            signals = {n.id for arg in node.args[1:] for n in ast.walk(arg) if isinstance(n, ast.Name)}
        return self.create(kind, node, names=signals) | passed_on

    def observer(self, qualified: str, func: ast.expr) -> bool:
        text = ast.unparse(func)
        return qualified in OBSERVERS or text.startswith(OBSERVER_MODULES) or (
            isinstance(func, ast.Attribute) and func.attr in LOGGER_METHODS)

    def _is_inert(self, handle: str) -> bool:
        """A handle of work that does nothing until awaited: passing it to a call hands it to that call's work."""
        return any(handle in names and (kind := self.a.sites[site].kind) is not None and kind.inert
                   for site, names in self.state)

    def alarm(self, node: ast.Call, kind: WorkKind, alarm: Alarm) -> set[str]:
        slot = self.slot_of(node, alarm)
        seconds = _argument(node, alarm.seconds_argument) if alarm.seconds_argument is not None else None
        self.settle({_SLOT + slot})  # one timer per slot: arming again replaces it
        if seconds is not None and _is_zero(seconds):
            return set()
        source = ast.unparse(node.args[0]) if alarm.slot is None and node.args else None
        self.create(kind, node, names={_SLOT + slot}, slot=slot, alarm=alarm, slot_source=source)
        return set()

    def slot_of(self, node: ast.Call, alarm: Alarm) -> str:
        if alarm.slot is not None:
            return alarm.slot
        if node.args:
            return self.a.scope.qualify(node.args[0]) or ast.unparse(node.args[0])
        return "?"

    def started_kind(self, receiver: ast.expr, method: str) -> WorkKind | None:
        if isinstance(receiver, ast.Call):
            constructed = self.a._constructed_type(receiver)
        elif isinstance(receiver, (ast.Name, ast.Attribute)):
            constructed = self.a.types.get(ast.unparse(receiver))
        else:
            constructed = None
        if constructed is None:
            return None
        return self.a.catalogue.started_by.get((constructed, method))

    def receiver(self, node: ast.expr) -> tuple[str | None, Owner | None]:
        if isinstance(node, (ast.Name, ast.Attribute)):
            known = self.a.receivers.get(ast.unparse(node)) or self.a.env.attribute_receivers.get(ast.unparse(node))
            if known is not None:
                return known
        if isinstance(node, ast.Call):
            kind = self.a._receiver_of_constructor(node)
            if kind is not None:
                return kind, None
        imported = isinstance(node, ast.Name) and node.id in self.a.scope.imports
        text = ast.unparse(node) if isinstance(node, (ast.Name, ast.Attribute)) and not imported else ""
        last = text.rsplit(".", 1)[-1].lower()
        for hint, kind in RECEIVER_HINTS:
            if hint in last:
                return kind, Owner(Held.ATTRIBUTE, text)
        return None, None

    def create(self, kind: WorkKind, node: ast.AST, names: set[str] | None = None, **details: Any) -> set[str]:
        site = self.a._site(kind, node, self.current, **details)
        if id(node) in self.a.guarded:
            self.a.sites[site].guarded = True
            self.a.sites[site].requires = self.a.guarded[id(node)]
        fresh = f"{_FRESH}{site}"
        self.state = self.state | {(site, frozenset({fresh, *(names or set())}))}
        return {fresh}

    def local_function(self, func: ast.expr) -> tuple[ast.AST, str] | None:
        """The function of this module a call goes to, with its dotted name."""
        scope = self.a.env.scope
        if isinstance(func, ast.Name) and func.id in self.a.nested_functions:
            return self.a.nested_functions[func.id], func.id
        if isinstance(func, ast.Name) and func.id in scope.functions and func.id not in self.a.local_names:
            return scope.functions[func.id], func.id
        if isinstance(func, ast.Name) and func.id in scope.classes and func.id not in self.a.local_names:
            constructor = self.a.env.methods_of(func.id).get("__init__")  # ``TimeoutGuard(context)``
            return (constructor, func.id) if constructor is not None else None
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            owner = func.value.id
            class_name = self.a.owner_class if owner in {"self", "cls"} else None
            if class_name is None and owner in scope.classes:
                class_name = owner
            if class_name is None:
                class_name = self.a.instance_classes.get(owner)
            if class_name is not None:
                method = self.a.env.methods_of(class_name).get(func.attr)
                if method is not None:
                    return method, f"{class_name}.{func.attr}"
        return None

    def context_manager(self, expression: ast.expr, method: str) -> None:
        """``with Guard(...)``: what a context manager of this module does on entering or leaving."""
        if not (isinstance(expression, ast.Call) and isinstance(expression.func, ast.Name)
                and expression.func.id in self.a.env.scope.classes):
            return
        function = self.a.env.methods_of(expression.func.id).get(method)
        if function is not None:
            name = f"{expression.func.id}.{method}"
            # one name for the object across the block, so ``__exit__`` settles what ``__enter__`` kept on ``self``
            self.helper_call(expression, name, lambda: self.a.env.summarize(function, name), False, [], {}, False, True,
                             instance=f"<with {id(expression)}>")

    def note_gives_up(self, node: ast.Call, handles: set[str]) -> None:
        """``asyncio.wait_for(loop.run_in_executor(...), 5)``: a timeout cancels the awaitable, not its thread."""
        for site, names in self.state:
            work = self.a.sites[site]
            if names & handles and isinstance(work.node, ast.Call) and self._thread_backed(work.node):
                self.a.gives_up.setdefault(site, node)

    def _thread_backed(self, call: ast.Call) -> bool:
        func = call.func
        return (self.a.scope.qualify(func) or "") in THREAD_BACKED or (
            isinstance(func, ast.Attribute) and func.attr in THREAD_BACKED)

    def queues_drained(self, constructor: ast.Call | None) -> set[str]:
        """``Thread(target=worker, args=(q,))`` where ``worker`` calls ``q.task_done()``: ``q.join()`` waits for
        the work it was given, so it settles the thread's work (the idle worker itself is left blocked on the queue)."""
        callback = _callback(constructor) if constructor is not None else None
        target = self.local_function(callback) if callback is not None else None
        if constructor is None or target is None:
            return set()
        marks_done = [node.func.value for node in ast.walk(target[0]) if isinstance(node, ast.Call)
                      and isinstance(node.func, ast.Attribute) and node.func.attr == QUEUE_ITEM_DONE]
        if not marks_done:
            return set()
        passed = {node.id for keyword in constructor.keywords if keyword.arg == "args"
                  for node in ast.walk(keyword.value) if isinstance(node, ast.Name)}
        passed |= {node.id for argument in constructor.args[2:] for node in ast.walk(argument) if isinstance(node, ast.Name)}
        own = _assigned_names(target[0], self.a.env.nodes_of(target[0]))
        shared = {queue.id for queue in marks_done if isinstance(queue, ast.Name) and queue.id not in own}
        return {_DRAINED + name for name in passed | shared}

    def callback_work(self, constructor: ast.Call | None, node: ast.Call) -> None:
        """``Thread(target=f)``, ``Timer(t, f)``: work the callback starts and leaves running (a timer re-armed
        from its own callback) outlives whatever settles the first one."""
        if constructor is None:
            return
        callback = _callback(constructor)
        target = self.local_function(callback) if callback is not None else None
        if target is None:
            return
        function, name = target
        summary = self.a.env.summarize(function, name)
        if summary is not None:
            passed = _passed_to(constructor, function)
            self.add_leaks(node, name, summary, Origin.CALLBACK_LEAKS, None,
                           lambda work: frozenset(passed[param] for param in _resolved_future(work.node) if param in passed)
                           if work.resolves and isinstance(work.node, ast.Call) else frozenset())

    def instance_of(self, func: ast.expr) -> str | None:
        """``self.m()`` or ``tracker.m()`` on an instance of a class of the module: the name its attributes hang from."""
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)):
            return None
        owner = func.value.id
        if owner == self.a.self_name or owner in self.a.instance_classes or owner in self.a.imported_instances:
            return "self" if owner == self.a.self_name else owner
        return None

    def add_leaks(self, node: ast.Call, name: str, summary: Summary, origin: Origin, instance: str | None,
                  names_of: Callable[[Work], frozenset[str]] = lambda work: frozenset()) -> None:
        """The work a called function leaves running, pending from this call on; through the instance's
        attributes when it kept the work on ``self``, and through the names ``names_of`` gives it here."""
        for number, work in enumerate(summary.leaks):
            assert work.kind is not None
            site = self.a._site(work.kind, node, self.current, origin, number, helper=name,
                                via=work.via, slot=work.slot, alarm=work.alarm, slot_source=work.slot_source,
                                owner=work.owner, on_module_loop=work.on_module_loop, resolves=work.resolves,
                                guarded=work.guarded or id(node) in self.a.guarded,
                                requires=work.requires or self.a.guarded.get(id(node)))
            names = frozenset({_SLOT + work.slot} if work.slot else set()) | _rebased(work.attributes, instance) \
                | names_of(work)
            self.state = self.state | {(site, names)}

    def helper_call(self, node: ast.Call, name: str, summarize: Callable[[], Summary | None], is_async: bool,
                    argument_handles: list[set[str]], keyword_handles: dict[str | None, set[str]], top: bool,
                    awaited: bool, constructs: bool = False, instance: str | None = None) -> set[str]:
        """A call to a function whose summary the analysis knows, in this module or another. A constructor's
        work kept on ``self`` stays reachable through the object it returns."""
        if is_async and not awaited:
            handles = set().union(*argument_handles) if argument_handles else set()
            self.settle({h for h in handles if self._is_inert(h)})
            unawaited = self.a.catalogue.unawaited_call
            return self.create(unawaited, node, name=f"{name}()") if top and unawaited is not None else set()
        summary = summarize()
        if summary is None:
            return set()
        self.settle({_SLOT + slot for slot in summary.disarms})
        instance = instance or (f"{_FRESH}new{id(node)}" if constructs else self.instance_of(node.func))
        self.settle(_rebased(summary.settles_attributes, instance))
        for index in summary.settles:
            handles = argument_handles[index] if index < len(argument_handles) else keyword_handles.get(
                summary.params[index] if index < len(summary.params) else None, set())
            self.settle(handles)
        self.add_leaks(node, name, summary, Origin.HELPER_LEAKS, instance)
        for number, (work, raised) in enumerate(summary.raise_leaks):  # reported whatever the caller catches
            assert work.kind is not None
            site = self.a._site(work.kind, node, self.current, Origin.HELPER_RAISES, number, helper=name,
                                via=work.via, slot=work.slot, alarm=work.alarm, owner=work.owner)
            self.a.raised_in_helpers[site] = raised
        result: set[str] = set()
        for number, work in enumerate(summary.returns):
            assert work.kind is not None
            site = self.a._site(work.kind, node, self.current, Origin.HELPER_RETURNS, number, helper=name,
                                via=work.via, owner=work.owner, iterator=work.iterator,
                                on_module_loop=work.on_module_loop)
            fresh = f"{_FRESH}{site}"
            self.state = self.state | {(site, frozenset({fresh}))}
            result.add(fresh)
        return result | ({instance} if constructs and instance else set())


# -- syntax helpers -----------------------------------------------------------------------------

def _walk_loop_body(body: list[ast.stmt]) -> Iterable[ast.AST]:
    """A loop body, not nested loops (whose ``break`` is their own)."""
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, (ast.For, ast.AsyncFor, ast.While, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            stack.extend(ast.iter_child_nodes(node))


def _guarded_by_settings(nodes: list[ast.AST], module_names: set[str]) -> dict[int, tuple[str, object] | None]:
    """Nodes under ``if SETTINGS["mode"] == "thread":``: a branch a module-level setting switches on or off,
    with the setting and the value its body requires (None when the test is not that simple)."""
    guarded: dict[int, tuple[str, object] | None] = {}
    for node in nodes:
        if isinstance(node, ast.If) and _tests_a_setting(node.test, module_names):
            test = node.test
            simple = isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq) \
                and isinstance(test.comparators[0], ast.Constant)
            requires = (ast.unparse(test.left), test.comparators[0].value) if simple else None  # type: ignore[attr-defined]
            guarded.update({id(inner): requires for inner in ast.walk(ast.Module(body=node.body, type_ignores=[]))})
            guarded.update({id(inner): None for statement in node.orelse for inner in ast.walk(statement)})
    return guarded


def _tests_a_setting(test: ast.expr, module_names: set[str]) -> bool:
    if isinstance(test, ast.BoolOp):
        return any(_tests_a_setting(value, module_names) for value in test.values)
    if not (isinstance(test, ast.Compare) and any(isinstance(c, ast.Constant) for c in test.comparators)):
        return False
    root = test.left
    while isinstance(root, (ast.Subscript, ast.Attribute)):
        root = root.value
    return isinstance(root, ast.Name) and root.id in module_names and (
        root.id.isupper() or any(word in root.id.lower() for word in ("setting", "config", "option")))


def _has_timeout(call: ast.Call, position: int) -> bool:
    """A ``timeout`` argument (keyword or at ``position``) that is not ``None``."""
    value = next((kw.value for kw in call.keywords if kw.arg == "timeout"),
                 call.args[position] if len(call.args) > position else None)
    return value is not None and not (isinstance(value, ast.Constant) and value.value is None)


def _callback(constructor: ast.Call) -> ast.expr | None:
    """The function a ``Thread``/``Timer``/``Process`` runs: ``target=`` or ``function=``, or the second argument."""
    return next((kw.value for kw in constructor.keywords if kw.arg in CALLBACK_KEYWORDS),
                constructor.args[CALLBACK_POSITION] if len(constructor.args) > CALLBACK_POSITION else None)


def carried(name: str) -> bool:
    """Names a helper's work stays reachable through for its callers: ``self.x``, a drained queue."""
    return name.startswith(("self.", _DRAINED))


def _rebased(attributes: Iterable[str], instance: str | None) -> frozenset[str]:
    """``self.threads`` seen from a caller that holds the instance as ``tracker``: ``tracker.threads``;
    dropped for a caller that has no instance. Drained queues are the same for every caller."""
    return frozenset(f"{instance}.{name.removeprefix('self.')}" if name.startswith("self.") else name
                     for name in attributes if not name.startswith("self.") or instance is not None)


def _passed_to(constructor: ast.Call, callback: ast.AST) -> dict[str, str]:
    """``Thread(target=produce, args=(loop, fut))``: the callback's parameters named by the caller's variables."""
    arguments = next((keyword.value for keyword in constructor.keywords if keyword.arg == "args"), None)
    if not isinstance(arguments, (ast.Tuple, ast.List)) or not isinstance(callback, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return {}
    params = [arg.arg for arg in callback.args.posonlyargs + callback.args.args]
    return {param: argument.id for param, argument in zip(params, arguments.elts) if isinstance(argument, ast.Name)}


def _resolved_future(call: ast.Call) -> set[str]:
    """``loop.call_soon_threadsafe(fut.set_result, value)``: waiting for ``fut`` waits for the callback too."""
    callback = call.args[0] if call.args else None
    if isinstance(callback, ast.Attribute) and callback.attr in FUTURE_RESOLVERS \
            and isinstance(callback.value, ast.Name):
        return {callback.value.id}
    return set()


def _self_parameter(function: ast.AST) -> str | None:
    """The instance parameter of a method (``self``), None for static methods and plain functions."""
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) or not function.args.args:
        return None
    if any(isinstance(d, ast.Name) and d.id in {"staticmethod", "classmethod"} for d in function.decorator_list):
        return None
    first = function.args.args[0].arg
    return first if first == "self" else None


def _assigned_names(function: ast.AST, nodes: list[ast.AST]) -> set[str]:
    names = set(parameters(function))
    for node in nodes:
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


def _stored_names(target: ast.expr) -> list[str]:
    return [node.id for node in ast.walk(target) if isinstance(node, ast.Name)]


def parameters(function: ast.AST) -> list[str]:
    """A function's parameter names, without ``self`` and ``cls``."""
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return []
    arguments = function.args
    names = [a.arg for a in arguments.posonlyargs + arguments.args + arguments.kwonlyargs]
    return [name for name in names if name not in {"self", "cls"}]


def _root_name(node: ast.expr) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call, ast.Starred)):
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Attribute) and node.func.attr in CONTAINER_VIEWS:
                node = node.func.value
                continue
            return None
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _settles_name(nodes: Iterable[ast.AST], name: str, known: Catalogue, scope: Scope) -> bool:
    """Whether code settles the work a variable holds: ``t.join()``, ``await t``, ``wait(t)``."""
    for root in nodes:
        for node in ast.walk(root):
            if isinstance(node, ast.Await) and isinstance(node.value, ast.Name) and node.value.id == name:
                return True
            if isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Attribute) and func.attr in known.settle_methods and isinstance(func.value, ast.Name) \
                        and func.value.id == name:
                    return True
                qualified = scope.qualify(func) or ""
                if qualified in known.settle_functions and any(
                        isinstance(a, ast.Name) and a.id == name for a in node.args):
                    return True
    return False


def _argument(node: ast.Call, index: int) -> ast.expr | None:
    return node.args[index] if index < len(node.args) else None


def _is_zero(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and not isinstance(node.value, bool) and node.value == 0


def _false_keyword(node: ast.Call, name: str) -> bool:
    return any(kw.arg == name and isinstance(kw.value, ast.Constant) and kw.value.value is False for kw in node.keywords)


def _keyword_value(node: ast.Call, name: str, predicate: Callable[[str], bool]) -> bool:
    return any(kw.arg == name and predicate(ast.unparse(kw.value)) for kw in node.keywords)


__all__ = ["Environment", "HandOff", "Held", "Owner", "LoopContext", "Raised", "Result", "Summary", "Work", "analyze_function",
           "carried", "parameters"]
