"""Applying effects to the set of pending instances: the only code that changes the state.

An instance is a creation site and the handles through which the program can still reach its work.
Paths merge by union (``fixpoint.py``), so work pending on at least one path stays pending. Settling
removes every instance reachable through the handle acted on; rebinding a name makes the old
instance unreachable (it keeps running, and can no longer be settled).
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from leak_lsp.analysis.catalogue import AMBIGUOUS_SETTLES, FUTURE_WAIT, THREAD_BACKED
from leak_lsp.analysis.lifecycle import effects as fx
from leak_lsp.analysis.lifecycle.handles import Handle, HandleKind
from leak_lsp.analysis.lifecycle.work import Destination, Raised, Sites, State, Work
from leak_lsp.analysis.names import Scope

_VARIABLE, _FRESH = HandleKind.VARIABLE, HandleKind.FRESH  # looked up per handle: kept out of the enum's class


@dataclass
class Ledger:
    """What the analysis of one function records across all its points: sites, and what became of them."""

    sites: Sites
    scope: Scope
    handoffs: dict[int, Destination] = field(default_factory=dict)  # site -> where it went
    returned: set[int] = field(default_factory=set)  # sites a helper returns
    gives_up: dict[int, ast.Call] = field(default_factory=dict)  # site -> a wait whose timeout leaves it running
    raised_in_helpers: dict[int, Raised] = field(default_factory=dict)  # site -> how a called helper leaks it

    def thread_backed(self, call: ast.Call) -> bool:
        func = call.func
        return (self.scope.qualify(func) or "") in THREAD_BACKED or (
            isinstance(func, ast.Attribute) and func.attr in THREAD_BACKED)


class Pending:
    """The instances that may be pending at one point, changed only by ``apply``."""

    def __init__(self, instances: State, ledger: Ledger) -> None:
        self.instances = instances
        self.ledger = ledger
        self.works = ledger.sites.works

    def reaches(self, handle: Handle) -> bool:
        """Whether some pending work is reachable through ``handle``."""
        return any(handle in names for _, names in self.instances)

    def apply(self, effect: fx.Effect) -> None:
        _APPLY[type(effect)](self, effect)

    def _keep(self, keeps: Callable[[int, frozenset[Handle]], bool]) -> None:
        self.instances = frozenset(instance for instance in self.instances if keeps(*instance))

    def _start(self, effect: fx.Start) -> None:
        self.instances = self.instances | {(effect.site, effect.handles)}

    def _settle(self, effect: fx.Settle) -> None:
        handles, only = effect.handles, effect.only
        if not handles:
            return
        if only is None:
            self.instances = frozenset(instance for instance in self.instances if not instance[1] & handles)
            return
        accepts = _accepts(only)
        works = self.works
        self._keep(lambda site, names: not (names & handles and accepts(works[site])))

    def _pass_inert(self, effect: fx.PassInert) -> None:
        works = self.works
        inert = frozenset(handle for handle in effect.handles if any(
            handle in names and (kind := works[site].kind) is not None and kind.inert for site, names in self.instances))
        self._settle(fx.Settle(inert))

    def _settle_owner(self, effect: fx.SettleOwner) -> None:
        works = self.works
        self._keep(lambda site, names: works[site].owner != effect.owner)

    def _leave_with(self, effect: fx.LeaveWith) -> None:
        def keeps(site: int, names: frozenset[Handle]) -> bool:
            work = self.works[site]
            by_name = bool(names & effect.names) and work.kind is not None and work.kind.with_settles
            return not (by_name or work.owner in effect.owners)
        self._keep(keeps)

    def _bind(self, effect: fx.Bind) -> None:
        target, sources = effect.target, effect.sources
        matched = {instance for instance in self.instances if instance[1] & sources}
        below_target = target.text + "."
        below_sources: dict[HandleKind, tuple[str, ...]] = {}  # the attribute paths that follow the object
        for source in sources:
            below_sources[source.kind] = (*below_sources.get(source.kind, ()), source.text + ".")

        def renamed(site: int, names: frozenset[Handle]) -> frozenset[Handle]:
            kept = {n for n in names if n != target and not (n.kind is _VARIABLE and n.text.startswith(below_target))}
            moved = {n.rebound(target.text) for n in names if n.text.startswith(below_sources.get(n.kind, ()))}
            return frozenset(kept | moved | ({target} if (site, names) in matched else set()))
        self.instances = frozenset((site, renamed(site, names)) for site, names in self.instances)
        for site, _ in matched:
            work = self.works[site]
            if work.name is None and work.kind is not None:
                work.name = target.text

    def _unbind(self, effect: fx.Unbind) -> None:
        self.instances = frozenset((site, names - {effect.target}) for site, names in self.instances)

    def _collect(self, effect: fx.Collect) -> None:
        sources = effect.sources
        self.instances = frozenset(
            (site, names | {effect.container}) if names & sources else (site, names) for site, names in self.instances)

    def _hand_off(self, effect: fx.HandOff) -> None:
        kept = set()
        for site, names in self.instances:
            kind = self.works[site].kind
            if names & effect.sources and kind is not None:
                if not kind.inert:
                    self.ledger.handoffs.setdefault(site, Destination(effect.target, effect.root))
            else:
                kept.add((site, names))
        self.instances = frozenset(kept)

    def _return(self, effect: fx.Return) -> None:
        works, sources = self.works, effect.sources
        for site, names in self.instances:
            if names & sources and works[site].kind is not None:
                self.ledger.returned.add(site)
        self._keep(lambda site, names: not (names & sources and works[site].kind))

    def _gives_up(self, effect: fx.GivesUp) -> None:
        for site, names in self.instances:
            work = self.works[site]
            if names & effect.handles and isinstance(work.node, ast.Call) and self.ledger.thread_backed(work.node):
                self.ledger.gives_up.setdefault(site, effect.call)

    def _left_on_raise(self, effect: fx.LeftOnRaise) -> None:
        self.ledger.raised_in_helpers[effect.site] = effect.raised

    def _observe(self, effect: fx.Observe) -> None:
        handle = effect.handle
        self.instances = frozenset(instance for instance in self.instances if handle not in instance[1])


def _accepts(only: fx.Only | fx.SettledBy) -> Callable[[Work], bool]:
    if only is fx.Only.ITERATORS:
        return lambda work: work.iterator
    if only is fx.Only.AWAITABLE:
        return lambda work: work.kind is None or work.kind.awaitable or work.resolves
    method = only.method
    return lambda work: (work.kind is None and method not in AMBIGUOUS_SETTLES) \
        or (work.kind is not None and method in work.kind.settle_methods) or (work.resolves and method == FUTURE_WAIT)


def started(starts: list[fx.Start]) -> State:
    """The state in which exactly this work has started (a function's entry)."""
    return frozenset((start.site, start.handles) for start in starts)


def without_fresh(state: State) -> State:
    """The state after a statement: its unbound values are gone (their work stays pending, unreachable)."""
    return frozenset((site, frozenset(n for n in names if n.kind is not _FRESH)) for site, names in state)


_APPLY: dict[type, Callable[[Pending, Any], None]] = {  # each takes the effect of its key's type
    fx.Start: Pending._start,
    fx.Settle: Pending._settle,
    fx.PassInert: Pending._pass_inert,
    fx.SettleOwner: Pending._settle_owner,
    fx.LeaveWith: Pending._leave_with,
    fx.Bind: Pending._bind,
    fx.Unbind: Pending._unbind,
    fx.Collect: Pending._collect,
    fx.HandOff: Pending._hand_off,
    fx.Return: Pending._return,
    fx.GivesUp: Pending._gives_up,
    fx.LeftOnRaise: Pending._left_on_raise,
    fx.Observe: Pending._observe,
}
