"""Handles: the names through which the program can still reach pending work.

A handle is typed rather than spelled with a marker: a variable the program names, a value
of the current statement not bound yet, a process-wide timer slot, or a queue whose
``join()`` waits for the threads draining it. Work is pending through a set of handles; a
settling operation on any of them settles it.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum
from functools import lru_cache
from typing import NamedTuple

_CACHED = 4096  # handles are made per name met, many times per name: made once (a ``NamedTuple`` is built in Python)


class HandleKind(IntEnum):
    """What a handle names. An ``IntEnum``: handles are hashed constantly, and ``int`` hashes in C."""

    VARIABLE = 0  # a variable, a local container, ``self.worker``, an attribute path of an object it holds
    FRESH = 1  # a value of the current statement not bound yet: forgotten when the statement ends
    SLOT = 2  # a process-wide timer slot (``signal.SIGALRM``): one timer per slot
    DRAINED = 3  # a queue whose ``join()`` waits for the work of the threads draining it


class Handle(NamedTuple):
    kind: HandleKind
    text: str  # a variable's source text, a slot's qualified name, a queue's variable, a fresh value's key

    def attribute(self, name: str) -> Handle:
        """``tracker.threads``: an attribute of the object this handle holds."""
        return Handle(self.kind, f"{self.text}.{name}")

    def member(self, root: str) -> str | None:
        """The attribute path below ``root`` this handle names (``self.pool`` below ``self``: ``pool``)."""
        before, dot, after = self.text.partition(".")
        return after if dot and before == root and self.kind is HandleKind.VARIABLE else None

    def rebound(self, name: str) -> Handle:
        """This attribute path seen through the variable ``name`` the object is now bound to."""
        return Handle(HandleKind.VARIABLE, name + self.text[self.text.index("."):])


@lru_cache(maxsize=_CACHED)
def variable(text: str) -> Handle:
    return Handle(HandleKind.VARIABLE, text)


@lru_cache(maxsize=_CACHED)
def fresh(text: str) -> Handle:
    return Handle(HandleKind.FRESH, text)


@lru_cache(maxsize=_CACHED)
def slot(text: str) -> Handle:
    return Handle(HandleKind.SLOT, text)


@lru_cache(maxsize=_CACHED)
def drained(text: str) -> Handle:
    return Handle(HandleKind.DRAINED, text)


def carried(handle: Handle) -> bool:
    """Handles a helper's work stays reachable through for its callers: ``self.x``, a drained queue."""
    return handle.kind is HandleKind.DRAINED or handle.member("self") is not None


def rebased(handles: Iterable[Handle], instance: Handle | None) -> frozenset[Handle]:
    """``self.threads`` seen from a caller that holds the instance as ``tracker``: ``tracker.threads``;
    dropped for a caller that has no instance. Drained queues are the same for every caller."""
    result = set()
    for handle in handles:
        member = handle.member("self")
        if member is None:
            result.add(handle)
        elif instance is not None:
            result.add(instance.attribute(member))
    return frozenset(result)


__all__ = ["Handle", "HandleKind", "carried", "drained", "fresh", "rebased", "slot", "variable"]
