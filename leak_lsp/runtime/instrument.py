"""Wrap the scheduling APIs so that every piece of background work knows where it came from.

Shared by the ``reproduce`` child process and the production ``guard``; standard library
only, because it runs inside the user's process. Each wrapper records a :class:`TracedWork`
(what was scheduled, at which line of the user's code, in which phase) and wraps the
callback so that every execution of it is checked against the phase it runs in. A
:class:`Clock` says what the current phase is and whether the scheduling invocation has
ended; a sink receives the events.

Phases are integers: 0 is the init phase, ``2k - 1`` invocation k, ``2k`` the idle gap
after invocation k. :data:`ENDED` means the environment was shut down.
"""

from __future__ import annotations

import _thread
import asyncio
import asyncio.runners
import collections.abc
import concurrent.futures
import functools
import multiprocessing.pool
import multiprocessing.process
import os
import signal
import subprocess
import sys
import sysconfig
import threading
import warnings
from asyncio import base_events, events
from collections.abc import Callable
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

ENDED = 1 << 60
Event = dict[str, Any]
Sink = Callable[[Event], None]

TIMER_SIGNALS = {signal.ITIMER_REAL: signal.SIGALRM, signal.ITIMER_VIRTUAL: signal.SIGVTALRM,
                 signal.ITIMER_PROF: signal.SIGPROF}
TIMER_OF_SIGNAL = {number: which for which, number in TIMER_SIGNALS.items()}
TIMER_NAMES = {signal.ITIMER_REAL: "ITIMER_REAL", signal.ITIMER_VIRTUAL: "ITIMER_VIRTUAL",
               signal.ITIMER_PROF: "ITIMER_PROF"}
MAX_TEXT = 160


def describe_phase(phase: int) -> str:
    if phase >= ENDED:
        return "after the last invocation"
    if phase == 0:
        return "init"
    if phase % 2:
        return f"invocation {(phase + 1) // 2}"
    return f"idle after invocation {phase // 2}"


def invocation_phase(number: int) -> int:
    return 2 * number - 1


@dataclass(eq=False)
class TracedWork:
    """One piece of scheduled work and what has been seen of it so far."""

    id: int
    kind: str  # thread, timer, alarm, executor, task, callback, process, coroutine
    what: str
    scheduled_at: str  # file:line in the user's code
    scheduled_in: int  # phase
    state: str = "pending"  # pending, done, cancelled, lost
    last_phase: int = 0
    pid: int | None = None
    signum: int | None = None
    reported: set[int] = field(default_factory=set)

    def as_dict(self) -> Event:
        data = {"kind": self.kind, "what": self.what, "scheduled_at": self.scheduled_at,
                "scheduled_in": describe_phase(self.scheduled_in)}
        return data if self.pid is None else data | {"pid": self.pid}


class Clock:
    """The current phase, and whether the phase that scheduled some work is over."""

    def now(self) -> int:
        raise NotImplementedError

    def scheduling_phase(self) -> int | None:
        """The phase new work belongs to, or None when it should not be tracked."""
        return self.now()

    def has_ended(self, phase: int) -> bool:
        return self.now() > phase

    def inherit(self, phase: int) -> object:
        """Tracked work runs now: what it schedules in turn belongs to ``phase``. Returns a token."""
        return None

    def restore(self, token: object) -> None:
        """Undo :meth:`inherit`."""


# ---------------------------------------------------------------- where the user's code is

_STDLIB_DIRS = tuple({os.path.realpath(sysconfig.get_paths()[key]) + os.sep for key in ("stdlib", "platstdlib")})
_RUNTIME_DIR = os.path.dirname(os.path.realpath(__file__)) + os.sep
_internal_files: dict[str, bool] = {}


def is_internal(filename: str) -> bool:
    """Standard library, frozen modules and this package are not the user's code."""
    known = _internal_files.get(filename)
    if known is None:
        path = os.path.realpath(filename) if not filename.startswith("<") else filename
        known = filename.startswith("<") or path.startswith(_RUNTIME_DIR) or (
            path.startswith(_STDLIB_DIRS) and "-packages" + os.sep not in path)
        _internal_files[filename] = known
    return known


def user_frame(frame: FrameType | None) -> FrameType | None:
    while frame is not None and is_internal(frame.f_code.co_filename):
        frame = frame.f_back
    return frame


def location(frame: FrameType) -> str:
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"


def name_of(function: object) -> str:
    name = getattr(function, "__qualname__", None) or getattr(function, "__name__", None) or repr(function)
    return str(name)[:MAX_TEXT]


def defined_at(function: object) -> str | None:
    code = getattr(function, "__code__", None) or getattr(getattr(function, "__func__", None), "__code__", None)
    return None if code is None or is_internal(code.co_filename) else f"{code.co_filename}:{code.co_firstlineno}"


def short(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 3] + "..."


# ---------------------------------------------------------------- the tracker

class Tracker:
    """Records work and turns executions outside their own invocation into events."""

    def __init__(self, clock: Clock, sink: Sink, trace_threads: bool) -> None:
        self.clock = clock
        self.sink = sink
        self.trace_threads = trace_threads  # profile tracked threads to see every resumption
        self.pending: dict[int, TracedWork] = {}
        self.armed: dict[int, TracedWork] = {}  # signal number -> the timer that sends it
        self.enabled = True
        self._ids = iter(range(1, 1 << 62))
        self._lock = threading.Lock()
        self._local = threading.local()

    def schedule(self, kind: str, what: str, caller: FrameType | None, direct: bool = False) -> TracedWork | None:
        """The traced work of a scheduling call made from the user's code, else None (internal use)."""
        depth: int = getattr(self._local, "depth", 0)
        if not self.enabled or depth:
            return None
        phase = self.clock.scheduling_phase()
        if phase is None or phase >= ENDED:
            return None
        if direct:
            frame = caller if caller is not None and not is_internal(caller.f_code.co_filename) else None
        else:
            frame = user_frame(caller)
        if frame is None:
            return None
        with self._lock:
            work = TracedWork(next(self._ids), kind, short(what), location(frame), phase, last_phase=phase)
            self.pending[work.id] = work
        return work

    def nested(self) -> _Nested:
        """Scheduling calls made inside a tracked one are its implementation, not new work."""
        return _Nested(self._local)

    def observe(self, work: TracedWork, frame: FrameType | None = None, ran: str | None = None, at: str | None = None) -> None:
        """An execution of ``work`` happens now: report it once per phase if its invocation is over."""
        phase = self.clock.now()
        if phase == work.last_phase or phase >= ENDED or not self.enabled:
            return
        work.last_phase = phase
        if phase in work.reported or not self.clock.has_ended(work.scheduled_in):
            return
        work.reported.add(phase)
        found = user_frame(frame)
        event = work.as_dict() | {"outcome": "leak", "ran_in": describe_phase(phase),
                                  "ran": short(ran or work.what)}
        if found is not None or at is not None:
            event["ran_at"] = location(found) if found is not None else at
        self.sink(event)

    def settle(self, work: TracedWork, state: str = "done") -> None:
        if work.state == "pending":
            work.state = state
            self.pending.pop(work.id, None)

    def drop(self, work: TracedWork, reason: str) -> None:
        """The work will never run (to completion): report it as lost."""
        if work.state != "pending" or not self.enabled:
            return
        self.settle(work, "lost")
        self.sink(work.as_dict() | {"outcome": "lost", "reason": reason, "lost_in": describe_phase(self.clock.now())})

    def lost_coroutine(self, what: str, created_at: str) -> None:
        phase = self.clock.now()
        if not self.enabled or phase >= ENDED:
            return
        self.sink({"kind": "coroutine", "what": short(what), "scheduled_at": created_at,
                   "scheduled_in": describe_phase(phase), "outcome": "lost",
                   "reason": "the coroutine was never awaited", "lost_in": describe_phase(phase)})

    def sweep_processes(self) -> None:
        """Child processes still running now run in this phase; exited ones are settled."""
        for work in list(self.pending.values()):
            if work.pid is None:
                continue
            if process_exited(work.pid):
                self.settle(work)
            else:
                self.observe(work, ran=f"{work.what} (pid {work.pid}) still running")

    def pending_in(self, phase: int | None = None) -> list[TracedWork]:
        """Work still pending, scheduled in ``phase`` (or in any phase)."""
        self.sweep_exited()
        return [work for work in list(self.pending.values()) if phase is None or work.scheduled_in == phase]

    def sweep_exited(self) -> None:
        for work in list(self.pending.values()):
            if work.pid is not None and process_exited(work.pid):
                self.settle(work)


class _Nested:
    __slots__ = ("_local",)

    def __init__(self, local: threading.local) -> None:
        self._local = local

    def __enter__(self) -> None:
        self._local.depth = getattr(self._local, "depth", 0) + 1

    def __exit__(self, *exc: object) -> None:
        self._local.depth -= 1


def process_exited(pid: int) -> bool:
    """True once the child has exited; does not reap it, so the user's ``wait`` still works."""
    try:
        return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return True


# ---------------------------------------------------------------- tracked callables

class TrackedCall:
    """A callback that reports its executions; settles the work when it returns."""

    __slots__ = ("function", "work", "tracker", "trace", "__weakref__")

    def __init__(self, function: Callable[..., Any], work: TracedWork, tracker: Tracker, trace: bool) -> None:
        self.function = function
        self.work = work
        self.tracker = tracker
        self.trace = trace

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        tracker, work = self.tracker, self.work
        tracker.observe(work, ran=f"{name_of(self.function)}() started", at=defined_at(self.function))
        previous = sys.getprofile() if self.trace else None
        if self.trace:
            sys.setprofile(lambda frame, event, arg: tracker.observe(work, frame, f"{name_of(self.function)}() resumed"))
        token = tracker.clock.inherit(work.scheduled_in)
        try:
            return self.function(*args, **kwargs)
        finally:
            tracker.clock.restore(token)
            if self.trace:
                sys.setprofile(previous)
            tracker.observe(work, ran=f"{name_of(self.function)}() finished", at=defined_at(self.function))
            tracker.settle(work)

    def __repr__(self) -> str:
        return repr(self.function)


class TrackedCoroutine(collections.abc.Coroutine):  # type: ignore[type-arg]
    """A task's coroutine: every step the loop runs is an execution of the task."""

    __slots__ = ("coroutine", "work", "tracker")

    def __init__(self, coroutine: collections.abc.Coroutine, work: TracedWork, tracker: Tracker) -> None:  # type: ignore[type-arg]
        self.coroutine = coroutine
        self.work = work
        self.tracker = tracker

    def send(self, value: Any) -> Any:
        return self._step(self.coroutine.send, value)

    def throw(self, *args: Any) -> Any:
        return self._step(self.coroutine.throw, *args)

    def _step(self, step: Callable[..., Any], *args: Any) -> Any:
        self.tracker.observe(self.work, getattr(self.coroutine, "cr_frame", None), f"{name_of(self.coroutine)}() resumed")
        try:
            return step(*args)
        except BaseException:  # StopIteration included: the coroutine is over either way
            self.tracker.settle(self.work)
            raise

    def close(self) -> None:
        self.coroutine.close()

    def __await__(self) -> TrackedCoroutine:
        return self

    def __next__(self) -> Any:
        return self.send(None)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.coroutine, name)


class SignalHandler:
    """A Python signal handler: its run is the execution of the timer that sent the signal."""

    __slots__ = ("handler", "tracker")

    def __init__(self, handler: Callable[..., Any], tracker: Tracker) -> None:
        self.handler = handler
        self.tracker = tracker

    def __call__(self, signum: int, frame: FrameType | None) -> Any:
        work = self.tracker.armed.get(signum)
        if work is not None:
            self.tracker.observe(work, frame, f"{signal.Signals(signum).name} handler {name_of(self.handler)}()",
                                 defined_at(self.handler))
            which = TIMER_OF_SIGNAL.get(signal.Signals(signum))
            if which is None or signal.getitimer(which)[1] == 0:
                self.tracker.settle(work)  # a one-shot timer is over once its signal is handled
        return self.handler(signum, frame)


def unwrap_signal_handler(handler: Any) -> Any:
    return handler.handler if isinstance(handler, SignalHandler) else handler


# ---------------------------------------------------------------- the wrappers

class Instrumentation:
    """Installs the wrappers once per process and routes them to one tracker."""

    def __init__(self, tracker: Tracker) -> None:
        self.tracker = tracker
        self.originals: list[tuple[object, str, object]] = []

    def patch(self, owner: object, name: str, make: Callable[[Any], Any]) -> None:
        original = getattr(owner, name)
        self.originals.append((owner, name, original))
        setattr(owner, name, make(original))

    def install(self, unawaited_coroutines: bool) -> None:
        """``unawaited_coroutines`` records where every coroutine is created: emulation only, it is slow."""
        self._threads()
        self._signals()
        self._executors()
        self._loop_callbacks()
        self._loop_tasks()
        self._loop_endings()
        self._processes()
        if unawaited_coroutines:
            self._unawaited_coroutines()
        os.register_at_fork(after_in_child=self._forked)

    def _forked(self) -> None:
        """A forked child is not the runtime: it reports nothing of its own."""
        self.tracker.enabled = False

    def _threads(self) -> None:
        tracker = self.tracker

        def start(original: Callable[..., Any]) -> Callable[..., Any]:
            def tracked_start(thread: threading.Thread) -> None:
                caller = sys._getframe(1)
                if isinstance(thread, threading.Timer):
                    timer_work = tracker.schedule("timer", f"Timer({thread.interval}, {name_of(thread.function)})", caller)
                    if timer_work is not None:
                        thread.function = TrackedCall(thread.function, timer_work, tracker, tracker.trace_threads)
                elif not _is_asyncio_internal(getattr(thread, "_target", None)):  # a child watcher's waitpid thread
                    target = getattr(thread, "_target", None)
                    what = f"thread running {name_of(target)}()" if target else f"thread {type(thread).__qualname__}.run()"
                    work = tracker.schedule("thread", what, caller)
                    if work is not None:
                        thread.run = TrackedCall(thread.run, work, tracker, tracker.trace_threads)  # type: ignore[method-assign]
                with tracker.nested():
                    original(thread)
            return tracked_start

        def cancel(original: Callable[..., Any]) -> Callable[..., Any]:
            def tracked_cancel(timer: threading.Timer) -> None:
                original(timer)
                if isinstance(timer.function, TrackedCall):
                    tracker.settle(timer.function.work, "cancelled")
            return tracked_cancel

        def start_new_thread(original: Callable[..., Any]) -> Callable[..., Any]:
            def tracked(function: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any] | None = None) -> int:
                work = tracker.schedule("thread", f"_thread.start_new_thread({name_of(function)})", sys._getframe(1))
                if work is not None:
                    function = TrackedCall(function, work, tracker, tracker.trace_threads)
                with tracker.nested():
                    thread_id: int = original(function, args, kwargs or {})
                    return thread_id
            return tracked

        self.patch(threading.Thread, "start", start)
        self.patch(threading.Timer, "cancel", cancel)
        self.patch(_thread, "start_new_thread", start_new_thread)
        self.patch(_thread, "start_new", start_new_thread)

    def _signals(self) -> None:
        tracker = self.tracker

        def arm(signum: int, what: str, seconds: float, caller: FrameType) -> None:
            previous = tracker.armed.pop(signum, None)
            if previous is not None:
                tracker.settle(previous, "cancelled")
            if seconds > 0:
                work = tracker.schedule("alarm", what, caller)
                if work is not None:
                    work.signum = signum
                    tracker.armed[signum] = work

        def alarm(original: Callable[[int], int]) -> Callable[[int], int]:
            def tracked_alarm(seconds: int) -> int:
                remaining = original(seconds)
                arm(signal.SIGALRM, f"signal.alarm({seconds})", seconds, sys._getframe(1))
                return remaining
            return tracked_alarm

        def setitimer(original: Callable[..., tuple[float, float]]) -> Callable[..., tuple[float, float]]:
            def tracked_setitimer(which: int, seconds: float, interval: float = 0.0) -> tuple[float, float]:
                previous = original(which, seconds, interval)
                what = f"signal.setitimer({TIMER_NAMES.get(which, which)}, {seconds:g}" + (
                    f", {interval:g})" if interval else ")")
                arm(TIMER_SIGNALS.get(which, signal.SIGALRM), what, seconds, sys._getframe(1))
                return previous
            return tracked_setitimer

        def install_handler(original: Callable[..., Any]) -> Callable[..., Any]:
            def tracked_signal(signalnum: int, handler: Any) -> Any:
                if callable(handler) and not isinstance(handler, SignalHandler):
                    handler = SignalHandler(handler, tracker)
                return unwrap_signal_handler(original(signalnum, handler))
            return tracked_signal

        def getsignal(original: Callable[[int], Any]) -> Callable[[int], Any]:
            return lambda signalnum: unwrap_signal_handler(original(signalnum))

        self.patch(signal, "alarm", alarm)
        self.patch(signal, "setitimer", setitimer)
        self.patch(signal, "signal", install_handler)
        self.patch(signal, "getsignal", getsignal)

    def _executors(self) -> None:
        tracker = self.tracker

        def submit(original: Callable[..., Any], in_threads: bool) -> Callable[..., Any]:
            def tracked_submit(executor: concurrent.futures.Executor, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
                work = tracker.schedule("executor", f"{type(executor).__name__}.submit({name_of(fn)})", sys._getframe(1))
                if work is None:
                    return original(executor, fn, *args, **kwargs)
                if in_threads:
                    fn = TrackedCall(fn, work, tracker, tracker.trace_threads)
                with tracker.nested():
                    future = original(executor, fn, *args, **kwargs)
                future.add_done_callback(lambda done: _future_done(tracker, work, done))
                return future
            return tracked_submit

        self.patch(concurrent.futures.ThreadPoolExecutor, "submit", lambda original: submit(original, True))
        self.patch(concurrent.futures.ProcessPoolExecutor, "submit", lambda original: submit(original, False))
        self._pools()

    def _pools(self) -> None:
        """``multiprocessing`` pools: the threads or processes a pool starts are its implementation;
        a job given to a thread pool is work, seen at each call of its function (per item for maps)."""
        tracker = self.tracker

        def creation(original: Callable[..., Any]) -> Callable[..., Any]:
            def tracked_init(pool: multiprocessing.pool.Pool, *args: Any, **kwargs: Any) -> None:
                with tracker.nested():
                    original(pool, *args, **kwargs)
            return tracked_init

        def job(original: Callable[..., Any], method: str) -> Callable[..., Any]:
            def tracked(pool: multiprocessing.pool.Pool, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
                work = None
                if isinstance(pool, multiprocessing.pool.ThreadPool):  # a process pool must pickle ``func``
                    work = tracker.schedule("executor", f"{type(pool).__name__}.{method}({name_of(func)})",
                                            sys._getframe(1))
                if work is not None:
                    func = TrackedCall(func, work, tracker, tracker.trace_threads)
                with tracker.nested():
                    return original(pool, func, *args, **kwargs)
            return tracked

        self.patch(multiprocessing.pool.Pool, "__init__", creation)
        for method in ("apply_async", "map_async", "starmap_async", "imap", "imap_unordered"):
            self.patch(multiprocessing.pool.Pool, method, functools.partial(job, method=method))

    def _loop_callbacks(self) -> None:
        """``loop.call_soon``/``call_later``...: each callback is work until it runs or its handle is cancelled."""
        tracker = self.tracker
        loop_type = base_events.BaseEventLoop

        def callback(original: Callable[..., Any], method: str, positional: int) -> Callable[..., Any]:
            def tracked(loop: asyncio.AbstractEventLoop, *args: Any, **kwargs: Any) -> Any:
                function = args[positional] if len(args) > positional else None
                work = None
                if function is not None and not _is_asyncio_internal(function):
                    timing = "".join(f"{arg:g}, " for arg in args[:positional])
                    work = tracker.schedule("callback", f"loop.{method}({timing}{name_of(function)})", sys._getframe(1), direct=True)
                if work is not None and function is not None:
                    args = (*args[:positional], TrackedCall(function, work, tracker, False), *args[positional + 1:])
                with tracker.nested():
                    return original(loop, *args, **kwargs)
            return tracked

        def cancel_handle(original: Callable[..., Any]) -> Callable[..., Any]:
            def tracked(handle: events.Handle) -> None:
                function = getattr(handle, "_callback", None)
                original(handle)
                if isinstance(function, TrackedCall):
                    tracker.settle(function.work, "cancelled")
            return tracked

        self.patch(loop_type, "call_soon", lambda original: callback(original, "call_soon", 0))
        self.patch(loop_type, "call_soon_threadsafe", lambda original: callback(original, "call_soon_threadsafe", 0))
        self.patch(loop_type, "call_later", lambda original: callback(original, "call_later", 1))
        self.patch(loop_type, "call_at", lambda original: callback(original, "call_at", 1))
        self.patch(events.Handle, "cancel", cancel_handle)

    def _loop_tasks(self) -> None:
        """``loop.create_task``: a coroutine scheduled as a task is work until it finishes."""
        tracker = self.tracker

        def create_task(original: Callable[..., Any]) -> Callable[..., Any]:
            def tracked(loop: asyncio.AbstractEventLoop, coro: Any, *args: Any, **kwargs: Any) -> Any:
                work = None
                if asyncio.iscoroutine(coro) and not isinstance(coro, TrackedCoroutine):
                    work = tracker.schedule("task", f"task {name_of(coro)}()", sys._getframe(1))
                if work is not None:
                    coro = TrackedCoroutine(coro, work, tracker)
                with tracker.nested():
                    return original(loop, coro, *args, **kwargs)
            return tracked

        self.patch(base_events.BaseEventLoop, "create_task", create_task)

    def _loop_endings(self) -> None:
        """A loop closed, or ``asyncio.run`` returning, drops the work still scheduled on it."""
        tracker = self.tracker

        def close(original: Callable[..., Any]) -> Callable[..., Any]:
            def tracked(loop: base_events.BaseEventLoop) -> None:
                if not loop.is_running() and not loop.is_closed():
                    _drop_loop_work(tracker, loop, "still pending when the event loop was closed")
                original(loop)
            return tracked

        def cancel_all_tasks(original: Callable[..., Any]) -> Callable[..., Any]:
            def tracked(loop: asyncio.AbstractEventLoop) -> None:
                _drop_loop_work(tracker, loop, "cancelled by asyncio.run when its coroutine returned")
                original(loop)
            return tracked

        self.patch(base_events.BaseEventLoop, "close", close)
        self.patch(asyncio.runners, "_cancel_all_tasks", cancel_all_tasks)

    def _processes(self) -> None:
        tracker = self.tracker

        def popen_init(original: Callable[..., Any]) -> Callable[..., Any]:
            def tracked(process: subprocess.Popen, args: Any, *rest: Any, **kwargs: Any) -> None:  # type: ignore[type-arg]
                caller = sys._getframe(1)
                with tracker.nested():
                    original(process, args, *rest, **kwargs)
                _track_pid(tracker, f"subprocess.Popen({args!r})", process.pid, caller)
            return tracked

        def popen_waited(original: Callable[..., Any]) -> Callable[..., Any]:
            def tracked(process: subprocess.Popen, *args: Any, **kwargs: Any) -> Any:  # type: ignore[type-arg]
                result = original(process, *args, **kwargs)
                if process.returncode is not None:
                    tracker.sweep_exited()
                return result
            return tracked

        def fork(original: Callable[[], int]) -> Callable[[], int]:
            def tracked() -> int:
                caller = sys._getframe(1)
                pid = original()
                if pid:
                    _track_pid(tracker, "os.fork()", pid, caller)
                return pid
            return tracked

        def process_start(original: Callable[..., Any]) -> Callable[..., Any]:
            def tracked(process: multiprocessing.process.BaseProcess) -> None:
                caller = sys._getframe(1)
                with tracker.nested():
                    original(process)
                target = getattr(process, "_target", None)
                what = f"multiprocessing.Process(target={name_of(target)})" if target else f"{type(process).__qualname__}.start()"
                _track_pid(tracker, what, process.pid, caller)
            return tracked

        def spawn(original: Callable[..., int], name: str) -> Callable[..., int]:
            def tracked(path: Any, *args: Any, **kwargs: Any) -> int:
                caller = sys._getframe(1)
                pid = original(path, *args, **kwargs)
                _track_pid(tracker, f"os.{name}({path!r})", pid, caller)  # nested in Popen: not the user's call
                return pid
            return tracked

        for name in ("posix_spawn", "posix_spawnp"):
            if hasattr(os, name):
                self.patch(os, name, functools.partial(spawn, name=name))
        self.patch(subprocess.Popen, "__init__", popen_init)
        self.patch(subprocess.Popen, "wait", popen_waited)
        self.patch(subprocess.Popen, "poll", popen_waited)
        self.patch(os, "fork", fork)
        self.patch(multiprocessing.process.BaseProcess, "start", process_start)

    def _unawaited_coroutines(self) -> None:
        """CPython reports a coroutine that was never awaited through this warnings hook."""
        tracker = self.tracker
        hook = getattr(warnings, "_warn_unawaited_coroutine", None)
        if hook is None:
            return
        sys.set_coroutine_origin_tracking_depth(max(sys.get_coroutine_origin_tracking_depth(), 32))

        def report(original: Callable[[Any], None]) -> Callable[[Any], None]:
            def tracked(coro: Any) -> None:
                origin = [entry for entry in (getattr(coro, "cr_origin", None) or ()) if not is_internal(entry[0])]
                if origin:
                    filename, lineno, _ = origin[0]
                    tracker.lost_coroutine(f"coroutine {name_of(coro)}()", f"{filename}:{lineno}")
                original(coro)
            return tracked

        self.patch(warnings, "_warn_unawaited_coroutine", report)


def _future_done(tracker: Tracker, work: TracedWork, future: concurrent.futures.Future) -> None:  # type: ignore[type-arg]
    if future.cancelled():
        tracker.settle(work, "cancelled")
        return
    tracker.observe(work, ran=f"{work.what} completed")
    tracker.settle(work)


def _is_asyncio_internal(function: object) -> bool:
    """Task steps and wake-ups that the C implementation schedules from a user's frame, and
    asyncio's own helpers (the child watcher's thread): the user's work is tracked where it started."""
    owner = getattr(function, "__self__", None)
    return isinstance(owner, asyncio.Future) or type(function).__module__ == "_asyncio" \
        or type(owner).__module__.startswith("asyncio.")


def _drop_loop_work(tracker: Tracker, loop: asyncio.AbstractEventLoop, reason: str) -> None:
    for task in asyncio.all_tasks(loop):
        coro = task.get_coro()
        if isinstance(coro, TrackedCoroutine) and not task.done():
            tracker.drop(coro.work, reason)
    for handle in [*getattr(loop, "_ready", ()), *getattr(loop, "_scheduled", ())]:
        function = getattr(handle, "_callback", None)
        if isinstance(function, TrackedCall) and not handle.cancelled():
            tracker.drop(function.work, reason)


def _track_pid(tracker: Tracker, what: str, pid: int | None, caller: FrameType) -> None:
    if pid is None:
        return
    work = tracker.schedule("process", what, caller)
    if work is not None:
        work.pid = pid
