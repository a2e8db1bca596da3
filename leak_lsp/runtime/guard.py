"""``@guard``: report execution leaks of a production handler in its own logs.

The scheduling APIs are wrapped once per process (see :mod:`leak_lsp.runtime.instrument`).
Work scheduled during an invocation remembers it; when that work runs after the invocation
returned, one warning says where it was scheduled and during which invocation it ran. At
the end of each invocation, a warning lists the work still pending. The guard never
changes the handler's result and never raises into it: its own failures are swallowed.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
import logging
import signal
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from leak_lsp.runtime.instrument import Clock, Event, Instrumentation, Tracker, describe_phase, invocation_phase

logger = logging.getLogger("leak_lsp.runtime")
Handler = TypeVar("Handler", bound=Callable[..., Any])


class InvocationClock(Clock):
    """Counts invocations; several may run at once (Azure's thread pool, a shared event loop)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count = 0
        self._phase = 0
        self._inherited = threading.local()  # threads do not inherit context variables
        self.active: set[int] = set()
        self.current: contextvars.ContextVar[int | None] = contextvars.ContextVar("leak_lsp_invocation", default=None)

    def now(self) -> int:
        return self._phase

    def scheduling_phase(self) -> int | None:
        """The caller's invocation, or the one that scheduled the tracked work now running on this thread."""
        phase = self.current.get()
        return getattr(self._inherited, "phase", None) if phase is None else phase

    def inherit(self, phase: int) -> object:
        token = getattr(self._inherited, "phase", None)
        self._inherited.phase = phase
        return token

    def restore(self, token: object) -> None:
        self._inherited.phase = token

    def has_ended(self, phase: int) -> bool:
        return phase not in self.active

    def begin(self) -> int:
        with self._lock:
            self._count += 1
            self._phase = invocation_phase(self._count)
            self.active.add(self._phase)
            return self._phase

    def end(self, phase: int) -> None:
        with self._lock:
            self.active.discard(phase)
            if not self.active:
                self._phase = invocation_phase(self._count) + 1


def _log(event: Event) -> None:
    try:
        if event["outcome"] == "leak":
            logger.warning("leak-lsp: %s scheduled in %s at %s ran during %s: %s", event["what"],
                           event["scheduled_in"], event["scheduled_at"], event["ran_in"], event["ran"])
        else:
            logger.warning("leak-lsp: %s scheduled in %s at %s was lost: %s", event["what"], event["scheduled_in"],
                           event["scheduled_at"], event["reason"])
    except Exception:  # logging must never break the code that leaked
        pass


_clock = InvocationClock()
_tracker = Tracker(_clock, _log, trace_threads=False)
_installed = False
_install_lock = threading.Lock()


def _install() -> None:
    global _installed
    with _install_lock:
        if not _installed:
            Instrumentation(_tracker).install(unawaited_coroutines=False)
            _installed = True


def _begin() -> tuple[int, contextvars.Token[int | None]] | None:
    try:
        phase = _clock.begin()
        token = _clock.current.set(phase)
        _tracker.sweep_processes()
        return phase, token
    except Exception:
        return None


def _end(started: tuple[int, contextvars.Token[int | None]] | None) -> None:
    if started is None:
        return
    phase, token = started
    try:
        pending = _tracker.pending_in(phase)
        for work in pending:
            logger.warning("leak-lsp: %s scheduled at %s is still pending when %s returns", work.what,
                           work.scheduled_at, describe_phase(phase))
        remaining = signal.getitimer(signal.ITIMER_REAL)[0]
        if remaining > 0 and not any(work.kind == "alarm" for work in pending):
            logger.warning("leak-lsp: ITIMER_REAL is still armed (%.3g s left) when %s returns", remaining,
                           describe_phase(phase))
    except Exception:
        pass
    finally:
        _clock.end(phase)
        try:
            _clock.current.reset(token)
        except ValueError:  # reset from another context (a generator-based caller): nothing to restore
            pass


def guard(handler: Handler) -> Handler:
    """Decorate a Lambda, Azure Functions or Cloud Functions entry point, sync or async."""
    _install()
    if inspect.iscoroutinefunction(handler):
        @functools.wraps(handler)
        async def guarded_async(*args: Any, **kwargs: Any) -> Any:
            started = _begin()
            try:
                return await handler(*args, **kwargs)
            finally:
                _end(started)
        return guarded_async  # type: ignore[return-value]

    @functools.wraps(handler)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        started = _begin()
        try:
            return handler(*args, **kwargs)
        finally:
            _end(started)
    return guarded  # type: ignore[return-value]
