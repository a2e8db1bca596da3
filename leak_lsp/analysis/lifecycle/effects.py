"""What a Python statement does to pending work: the records the classifier emits and ``state.py`` applies.

The names follow ``leak_lsp/flow/effects.py`` where the meaning is the same (``Start``, ``Settle``,
``Bind``, ``Collect``, ``HandOff``, ``Observe``); the rest are Python-only and say what they add.
The classifier never changes the state: it emits these in program order, and the only question it
asks of the state is which handles still reach pending work (``Pending.reaches``), because which
call a Python expression is (a settling method, or a call to a helper of the same name) depends on
whether its receiver holds work.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from enum import Enum

from leak_lsp.analysis.lifecycle.handles import Handle
from leak_lsp.analysis.lifecycle.work import Owner, Raised

Handles = frozenset[Handle]


class Only(Enum):
    """Which of the work reached a ``Settle`` settles, when not all of it."""

    ITERATORS = "iterators"  # iterating to the end consumes ``executor.map`` iterators and ``as_completed``
    AWAITABLE = "awaitable"  # ``await x``: awaitable work, callers' inputs, callbacks that resolve a future


@dataclass(frozen=True, slots=True)
class SettledBy:
    """``t.join()``, ``fut.result()``: the work whose kind the method settles (and callers' inputs, unless
    the method is ambiguous; a future a callback resolves, for ``result``)."""

    method: str


@dataclass(frozen=True, slots=True)
class Start:
    """Work of ``site`` starts here, reachable through ``handles`` (a fresh handle among them)."""

    site: int
    handles: Handles


@dataclass(frozen=True, slots=True)
class Settle:
    """Work reachable through ``handles`` is settled (awaited, joined, disarmed); ``only`` limits which."""

    handles: Handles
    only: Only | SettledBy | None = None


@dataclass(frozen=True, slots=True)
class PassInert:
    """Inert work (a coroutine: nothing until awaited) passed to a call becomes that call's work: what is
    reached through a handle that reaches inert work is settled here."""

    handles: Handles


@dataclass(frozen=True, slots=True)
class SettleOwner:
    """``pool.shutdown()``: all the work submitted to this executor or loop is settled."""

    owner: Owner


@dataclass(frozen=True, slots=True)
class LeaveWith:
    """The exit of a ``with`` block: work bound to its names whose kind a ``with`` settles, and work
    submitted to the executors it opened."""

    names: Handles
    owners: frozenset[Owner]


@dataclass(frozen=True, slots=True)
class Bind:
    """``target = value``: ``target`` leaves what it held and reaches what ``sources`` reach; attribute
    paths of the objects they hold follow (``#new.driver`` becomes ``wrapper.driver``)."""

    target: Handle
    sources: Handles


@dataclass(frozen=True, slots=True)
class Unbind:
    """``del x``, a loop variable rebound: ``target`` reaches nothing now (its attributes are kept)."""

    target: Handle


@dataclass(frozen=True, slots=True)
class Collect:
    """``container`` now also reaches what ``sources`` reach."""

    container: Handle
    sources: Handles


@dataclass(frozen=True, slots=True)
class HandOff:
    """Work reached through ``sources`` leaves for somewhere the analysis cannot follow (``target`` for the
    message, ``root`` for code that would settle it); inert work is simply dropped."""

    sources: Handles
    target: str
    root: str


@dataclass(frozen=True, slots=True)
class Return:
    """A helper returns the work ``sources`` reach: its callers hold it from the call on."""

    sources: Handles


@dataclass(frozen=True, slots=True)
class GivesUp:
    """``asyncio.wait_for(loop.run_in_executor(...), 5)``: a timeout cancels the awaitable, not the thread
    behind it; thread-backed work reached through ``handles`` is noted for the message."""

    handles: Handles
    call: ast.Call


@dataclass(frozen=True, slots=True)
class LeftOnRaise:
    """A helper called here leaves the work of ``site`` running when a call in it raises."""

    site: int
    raised: Raised


@dataclass(frozen=True, slots=True)
class Observe:
    """A branch on which ``handle`` is known to reach no pending work (``if t is None``, ``t.done()``)."""

    handle: Handle


Effect = (Start | Settle | PassInert | SettleOwner | LeaveWith | Bind | Unbind | Collect | HandOff | Return | GivesUp
          | LeftOnRaise | Observe)


def changes_nothing(effect: Effect) -> bool:
    """An effect on no handles (``wait()`` of nothing pending): the classifier does not emit it."""
    if isinstance(effect, (Settle, PassInert, GivesUp)):
        return not effect.handles
    if isinstance(effect, (Collect, HandOff, Return)):
        return not effect.sources
    return False
