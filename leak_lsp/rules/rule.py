"""What a rule declares: the work it tracks, how that work is started and settled.

Qualified names (``threading.Thread``) are matched after import resolution, so
``from threading import Thread as T`` and ``import threading as th`` are the same.
Fix templates name modules and functions by qualified name in braces
(``{signal.alarm}(0)``); the fix writer renders them with the file's own imports.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from leak_lsp.analysis.model import Outcome, Severity


@dataclass(frozen=True)
class Alarm:
    """A process-wide timer: armed by a call, disarmed by a call on the same slot."""

    arm: str  # qualified name of the arming function
    slot: str | None  # fixed slot, or None when the first argument names it
    seconds_argument: int | None  # a literal 0 here disarms instead of arming
    disarm: str  # fix template of the disarming statement; ``{slot}`` is the slot's source
    cancel: str | None = None  # a dedicated disarming function, same slot
    noun: str | None = None  # for messages, when it differs from the kind's noun


@dataclass(frozen=True)
class Settling:
    """How a fix settles work created by one particular call, where the kind's template is wrong for it.

    ``Executor.map`` returns an iterator (consumed, not ``result()``-ed), ``apply_async`` an
    ``AsyncResult`` (``get()``), ``_thread.start_new_thread`` a bare id: that call is rewritten
    into a started ``threading.Thread`` that can be joined.
    """

    origin: str  # the method (``map``) or qualified function (``_thread.start_new_thread``) creating the work
    template: str = ""  # the settling statement; "" when no statement can settle this work
    title: str = ""  # the fix title, when it differs from the kind's
    rewrite_as: str = ""  # a started object that replaces the creating call: ``{threading.Thread}``
    rewrite_keywords: tuple[str, ...] = ()  # the creating call's positional arguments, as keywords of ``rewrite_as``
    with_title: str = ""  # a fix that puts the rest of the body in ``with CALL as NAME:`` instead
    handle_name: str = ""  # the variable a fix binds the unnamed result to, when it differs from the kind's


class AwaitInPlace(str, Enum):
    """Whether a fix may put ``await`` where the work is created (async code only)."""

    NO = "no"
    ONLY = "only"  # the one fix, preferred: a coroutine does nothing until awaited
    ALSO = "also"  # offered after the others for unnamed work: ``await asyncio.create_task(...)`` in place


@dataclass(frozen=True)
class WorkKind:
    """One kind of pending work: how it starts, what settles it, how a fix settles it."""

    name: str
    noun: str  # for messages: "thread", "SIGALRM timer"
    started_by: tuple[tuple[str, str], ...] = ()  # (type, method): ``Thread(...).start()``
    created_by: tuple[str, ...] = ()  # functions returning a handle: ``subprocess.Popen``
    submitted_to: tuple[tuple[str, str], ...] = ()  # (receiver kind, method): ``executor.submit``
    receivers: tuple[tuple[str, str], ...] = ()  # (constructor, receiver kind) this kind introduces
    alarms: tuple[Alarm, ...] = ()
    settle_methods: frozenset[str] = frozenset()  # ``handle.join()``
    settle_functions: frozenset[str] = frozenset()  # ``concurrent.futures.wait(handles)``
    receiver_settles: frozenset[str] = frozenset()  # ``executor.shutdown()`` settles its work
    receiver_argument_settles: frozenset[str] = frozenset()  # ``loop.remove_timeout(handle)``
    with_settles: bool = False  # ``with Popen(...) as p`` waits at the block's exit
    awaitable: bool = False  # ``await handle`` settles
    settle_template: str = ""  # the settling statement a fix inserts: ``{handle}.join()``, ``{owner}.flush()``
    settle_title: str = ""  # the fix title: "Join the thread"
    settlings: tuple[Settling, ...] = ()  # where the creating call decides how its work is settled
    handle_name: str = "work"  # the variable a fix binds unnamed work to
    buffers: tuple[str, ...] = ()  # constructors whose module-level instances buffer every invocation's data
    buffer_slot: str | None = None  # the process-wide buffer they fill
    flushed_by: frozenset[str] = frozenset()  # methods that flush that buffer, whatever their receiver
    wrapped_by: tuple[str, ...] = ()  # imports of vendor wrappers that settle this work after each invocation
    start_returns_handle: bool = False  # ``pw = sync_playwright().start()``: the start call returns the handle
    reported_at_import: bool = True  # False for work a module keeps for every invocation to reuse (a browser)
    informs_at_import: bool = False  # armed at import, no invocation owns it: EL301 as information (a timer, NODE.md §1.5)
    loop_bound: bool = False  # runs on an event loop: closing the loop (``asyncio.run`` returning) cancels it
    inert: bool = False  # does nothing until awaited (a coroutine): an exception or a hand-off merely drops it,
    # and passing it to a call (``asyncio.create_task(coro)``) gives it to work that is tracked instead
    unawaited_async_calls: bool = False  # the kind of what an async function called without ``await`` returns
    await_in_place: AwaitInPlace = AwaitInPlace.NO
    disabled_by: tuple[tuple[str, str], ...] = ()  # (call, keyword): a module calling it with ``keyword=True``
    # (or with ``keyword=False`` when the entry says ``"keyword=False"``) does not start this work
    # (``App(process_before_response=True)``, ``bugsnag.configure(asynchronous=False)``)
    rule_code: str | None = None  # the rule a user-declared model reports under (built-in kinds belong to their rule)


class Occasion(str, Enum):
    """When work of any kind is reported under a meta rule instead of its kind's own rule."""

    CANCELLED_WITH_LOOP = "cancelled-with-loop"  # loop-bound work pending when ``asyncio.run`` closes its loop
    STARTED_AT_IMPORT = "started-at-import"  # module-level code started it and nothing settles it
    HANDED_OFF = "handed-off"  # given to an object or call the analysis cannot follow, settled nowhere
    PENDING_ON_EXCEPTION = "pending-on-exception"  # pending only where a call raises (or a wait gives up)


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    outcome: Outcome
    severity: Severity
    message: str  # ``{what}``, ``{noun}``, ``{exits}``, ``{target}`` and ``{entry}`` are filled in per finding
    kinds: tuple[WorkKind, ...] = ()
    occasion: Occasion | None = None  # set on a meta rule: it reports work of every kind on this occasion
    declared_work: str | None = None  # ``work = "..."`` of a ``[tool.leak-lsp] models`` entry this rule reports

    def render(self, what: str, noun: str = "", exits: str = "", target: str = "", entry: str = "handler") -> str:
        """The message of one finding; ``entry`` is what the work outlives: a handler, or a coroutine it drives."""
        return self.message.format(what=what, noun=noun, exits=exits, target=target, entry=entry)
