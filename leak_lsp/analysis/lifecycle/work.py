"""The data of a lifecycle analysis: creation sites of work, helpers' summaries, results."""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Literal, NamedTuple

from leak_lsp.analysis.cfg import Node, StatementGraph
from leak_lsp.analysis.lifecycle.handles import Handle
from leak_lsp.analysis.model import Related
from leak_lsp.analysis.names import Scope
from leak_lsp.rules.rule import Alarm, WorkKind

if TYPE_CHECKING:
    from leak_lsp.analysis.project_view import ExternalHelper

Mode = Literal["handler", "helper", "module"]
LoopContext = Literal["none", "fresh", "reused"]
Instance = tuple[int, frozenset[Handle]]  # a site and the handles its work is reachable through
State = frozenset[Instance]  # what may be pending at a point: the union over the paths reaching it


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
    attributes: frozenset[Handle] = frozenset()  # ``self.<attribute>`` handles a helper leaves it reachable through
    resolves: bool = False  # a callback that resolves a future: waiting for the future waits for it
    guarded: bool = False  # started only when a module-level setting has some value (it may be switched off)
    requires: tuple[str, object] | None = None  # ``SETTINGS["mode"] == "thread"``: the setting and the value
    input: Handle | None = None  # a helper's input: the handle its callers' work reaches it through


@dataclass(frozen=True)
class Destination:
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
    settles_attributes: set[Handle] = field(default_factory=set)  # carried handles (``self.x``, drained queues) it settles
    raise_leaks: list[tuple[Work, Raised]] = field(default_factory=list)  # work it leaves running when a call raises
    dependencies: set[str] = field(default_factory=set)  # other modules the summary was drawn from
    params: list[str] = field(default_factory=list)
    stores: dict[int, str] = field(default_factory=dict)  # ``self.driver = driver``: parameter index -> attribute


@dataclass
class Result:
    sites: list[Work]
    pending_at_exits: dict[int, list[Node]]  # site -> exits where it may be pending
    handoffs: dict[int, Destination]  # site -> where it went
    graph: StatementGraph
    returned: set[int] = field(default_factory=set)
    exit_states: dict[int, State] = field(default_factory=dict)  # exit node id -> what may be pending there
    pending_on_raise: dict[int, list[Node]] = field(default_factory=dict)  # site -> crash exits it outlives
    raised_in_helpers: dict[int, Raised] = field(default_factory=dict)  # site -> how a called helper leaks it
    gives_up: dict[int, ast.Call] = field(default_factory=dict)  # site -> a wait whose timeout leaves it running
    too_deep: dict[int, ast.AST] = field(default_factory=dict)  # statements skipped: nested deeper than the stack


@dataclass(kw_only=True)
class Environment:
    """What the analysis of one function needs to know about its module."""

    scope: Scope
    module_receivers: dict[str, str]  # module-level name -> receiver kind
    module_names: set[str]
    summarize: Callable[[ast.AST, str], Summary | None]  # helper node -> summary (None while being computed)
    methods_of: Callable[[str], dict[str, ast.AST]]  # class name -> its methods
    instance_classes: dict[str, str]  # module-level name -> the local class it is an instance of
    attribute_receivers: dict[str, tuple[str, Owner]]  # "self.pool" -> (receiver kind, owner), from any method
    attribute_types: dict[str, ast.Call] = field(default_factory=dict)  # "self.thread" -> its construction
    module_types: dict[str, ast.Call] = field(default_factory=dict)  # module-level "HEARTBEAT" -> its construction
    external: Callable[[ast.Call], ExternalHelper | None]  # a helper in another module of the workspace
    buffers: list[tuple[WorkKind, ast.Call, list[str]]]  # module-level buffers and the names reaching them
    nodes_of: Callable[[ast.AST], list[ast.AST]]  # a function's nodes, not those of the scopes nested in it
    calls_named: Callable[[str], list[ast.Call]]  # the module's calls by the callee's last name (``task_done``)
    calls_in: Callable[[ast.AST], list[ast.Call]]  # the calls of a simple statement or ``if`` test (raising.py)
    models: tuple[WorkKind, ...] = ()  # the project's declared library models
    lineage: Callable[[list[str]], list[str]] = list  # a class lineage continued into other modules


class Sites:
    """The creation sites of one analysis, numbered in the order first met; a key names each once."""

    def __init__(self) -> None:
        self.works: list[Work] = []
        self.site_of: dict[SiteKey, int] = {}

    def site(self, kind: WorkKind | None, node: ast.AST, statement: ast.stmt | None,
             origin: Origin = Origin.STARTED, number: int | None = None, **details: object) -> int:
        key = SiteKey(id(node), origin, id(kind) if number is None else number)
        if key not in self.site_of:
            self.site_of[key] = len(self.works)
            self.works.append(Work(kind, node, statement, **details))  # type: ignore[arg-type]
        return self.site_of[key]

    def input(self, function: ast.AST, handle: Handle, **details: object) -> int:
        """A helper's input: work its callers may hold, reaching it through ``handle``."""
        return self.site(None, function, None, Origin.INPUT, len(self.works), input=handle, **details)
