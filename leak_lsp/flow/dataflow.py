"""Path-sensitive propagation of pending work along a :class:`~leak_lsp.flow.graph.Graph`.

Each block keeps the set of distinct states that reach it (a state: which work is
pending and through which names, and whether a response was already sent), so a
branch that settles work on one path does not hide the path that does not. Past
:data:`MAX_STATES` states a block's states are merged into one (their union), which
keeps the analysis linear on long chains of branches and may only add findings.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from leak_lsp.analysis.model import Span
from leak_lsp.flow.effects import Bind, Collect, Effect, Exit, ExitRole, HandOff, Observe, Settle, Start, Work
from leak_lsp.flow.graph import Graph

MAX_STATES = 24
_MAX_VISITS = 200  # per block; a safety net, fixed points come much sooner


@dataclass(frozen=True)
class _Pending:
    work: Work
    names: frozenset[str]


@dataclass(frozen=True)
class _State:
    pending: frozenset[_Pending] = frozenset()
    responded: ExitHit | None = None


@dataclass(frozen=True, order=True)
class ExitHit:
    """An exit the work is still pending at (or, for work started later, the response it follows)."""

    span: Span
    role: ExitRole


@dataclass
class FlowResult:
    pending_at: dict[Work, set[ExitHit]] = field(default_factory=lambda: defaultdict(set))
    after_response: dict[Work, set[ExitHit]] = field(default_factory=lambda: defaultdict(set))
    handed_off: set[Work] = field(default_factory=set)


def run(graph: Graph) -> FlowResult:
    """Which work each exit leaves pending, over every path from block 0."""
    result = FlowResult()
    seen: dict[int, set[_State]] = defaultdict(set)
    visits: dict[int, int] = defaultdict(int)
    queue: list[tuple[int, _State]] = [(0, _State())]
    while queue:
        block, state = queue.pop()
        if state in seen[block] or visits[block] > _MAX_VISITS:
            continue
        if len(seen[block]) >= MAX_STATES:
            state = _merged([state, *seen[block]])
            if state in seen[block]:
                continue
        seen[block].add(state)
        visits[block] += 1
        out = _through(graph.blocks[block].effects, state, result)
        if out is not None:
            queue.extend((successor, out) for successor in graph.blocks[block].successors)
    return result


def _merged(states: list[_State]) -> _State:
    pending = frozenset().union(*(state.pending for state in states))
    responded = next((state.responded for state in states if state.responded is not None), None)
    return _State(pending, responded)


def _through(effects: list[Effect], state: _State, result: FlowResult) -> _State | None:
    """The state after the block's effects; ``None`` when a terminal exit ends the path."""
    for effect in effects:
        if isinstance(effect, Exit) and effect.only is not None:
            hit = ExitHit(effect.span, effect.role)
            ended = {pending for pending in state.pending if effect.only in pending.names}
            for pending in ended:
                result.pending_at[pending.work].add(hit)
            state = _State(state.pending - ended, state.responded)
        elif isinstance(effect, Exit):
            hit = ExitHit(effect.span, effect.role)
            for pending in state.pending:
                result.pending_at[pending.work].add(hit)
            if effect.terminal:
                return None
            state = _State(frozenset(), state.responded or hit)
        elif isinstance(effect, Start) and state.responded is not None:
            result.after_response[effect.work].add(state.responded)
        else:
            state = _State(_apply(effect, state.pending, result), state.responded)
    return state


def _apply(effect: Effect, pending: frozenset[_Pending], result: FlowResult) -> frozenset[_Pending]:
    if isinstance(effect, Start):
        if effect.once and any(p.work == effect.work for p in pending):
            return pending
        names = frozenset(effect.names)
        return _without_names(pending, names) | {_Pending(effect.work, names)}
    if isinstance(effect, Settle):
        return frozenset(p for p in pending if not (effect.name in p.names and _of_kind(p.work, effect.kinds)))
    if isinstance(effect, Collect):
        return frozenset(_collected(p, effect) for p in pending)
    if isinstance(effect, Bind):
        sources = set(effect.sources)
        return frozenset(
            _Pending(p.work, (p.names - {effect.target}) | ({effect.target} if p.names & sources else set()))
            for p in pending
        )
    if isinstance(effect, HandOff):
        result.handed_off.update(p.work for p in pending if effect.name in p.names)
        return frozenset(p for p in pending if effect.name not in p.names)
    if isinstance(effect, Observe):
        return frozenset(p for p in pending if effect.name not in p.names)
    return pending


def _of_kind(work: Work, kinds: frozenset[str] | None) -> bool:
    return kinds is None or work.kind in kinds


def _collected(pending: _Pending, effect: Collect) -> _Pending:
    if pending.names.isdisjoint(effect.sources) or pending.work.kind in effect.except_kinds:
        return pending
    return _Pending(pending.work, pending.names | {effect.container})


def _without_names(pending: frozenset[_Pending], names: frozenset[str]) -> frozenset[_Pending]:
    if not names:
        return pending
    return frozenset(_Pending(p.work, p.names - names) for p in pending)
