"""What a statement does to pending work, independent of the language it is written in.

Work is referred to through *names*: variables, containers and the front-end's own
temporaries for unnamed values. A name may hold several pieces of work (a container,
a promise chain) and a piece of work may be reachable through several names (aliases).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from leak_lsp.analysis.model import Span


@dataclass(frozen=True, eq=False)
class Work:
    """One place where work is started; ``kind`` is the front-end's catalogue name.

    Identity is the site (and kind): the dataflow hashes work constantly, so it stays cheap.
    """

    site: int  # unique per start site within one analysed function
    kind: str
    span: Span
    name: str | None = None  # the variable it is first bound to, for messages
    via: tuple[tuple[str, Span, str], ...] = ()  # (path, span, note): helper steps that started it

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Work) and other.site == self.site and other.kind == self.kind

    def __hash__(self) -> int:
        return hash(self.site)


class ExitRole(str, Enum):
    """How a path leaves, or how the platform learns that the invocation is over."""

    RETURN = "return"
    THROW = "throw"
    END = "end"  # falls off the end of the function
    CALLBACK = "callback"  # the handler's callback, when the platform does not wait for the loop
    DONE = "done"  # context.done / succeed / fail
    RESPONSE = "response"  # an HTTP response sent (res.send): the function goes on running
    REJECT = "reject"  # an awaited promise rejects and the exception leaves the function (an exception path)


@dataclass(frozen=True)
class Start:
    """Work starts here and is reachable through ``names`` (earlier holders of them let go)."""

    work: Work
    names: tuple[str, ...] = ()
    once: bool = False  # one piece of work per owner (a buffer): starting it again while pending is a no-op


@dataclass(frozen=True)
class Settle:
    """Work held by ``name`` is settled (awaited, cleared, joined); ``kinds`` limits which."""

    name: str
    kinds: frozenset[str] | None = None


@dataclass(frozen=True)
class Collect:
    """``container`` now also holds what ``sources`` hold, except work of ``except_kinds``."""

    container: str
    sources: tuple[str, ...]
    except_kinds: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Bind:
    """``target`` now holds exactly what ``sources`` hold (an assignment; no sources: unbound)."""

    target: str
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class HandOff:
    """Work held by ``name`` leaves this function (returned, stored elsewhere): not its to settle."""

    name: str


@dataclass(frozen=True)
class Observe:
    """A branch on which ``name`` is known to hold no pending work (``if (!timer)``)."""

    name: str


@dataclass(frozen=True)
class Exit:
    """The invocation may end here. A ``terminal`` exit ends the path; a response does not."""

    role: ExitRole
    span: Span
    terminal: bool = True
    only: str | None = None  # the exit ends only work held by this name (the rest is waited for)


Effect = Start | Settle | Collect | Bind | HandOff | Observe | Exit
