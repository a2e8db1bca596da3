"""The rules' declarations, indexed for the lifecycle analysis."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, cached_property

from leak_lsp.rules import work_kinds
from leak_lsp.rules.rule import Alarm, WorkKind

# Calls that read a handle without keeping it: passing work to them is not a hand-off.
OBSERVERS = frozenset({
    "print", "len", "repr", "str", "id", "isinstance", "hash", "type", "format", "bool", "vars",
    # attribute access on the handle itself, and binding a function to it (``MethodType(f, driver)``)
    "getattr", "setattr", "hasattr", "types.MethodType",
})
# Context managers that return the object they wrap and call one of its methods at the block's exit
# (``with closing(driver) as d:`` calls ``d.close()``): the work is settled only if that method settles it.
RETURNS_ARGUMENT = {"contextlib.closing": "close"}
# ``contextlib.ExitStack`` registrations run at the stack's block exit on every path: ``stack.callback(d.quit)``
# settles what that method settles, ``stack.enter_context(d)`` what a ``with d:`` settles.
EXIT_CALLBACKS = frozenset({"callback", "push_async_callback"})
EXIT_CONTEXTS = frozenset({"enter_context", "enter_async_context"})
OBSERVER_MODULES = ("logging.", "logger.", "log.", "LOGGER.", "LOG.", "_logger.", "warnings.")
LOGGER_METHODS = frozenset({"debug", "info", "warning", "error", "exception", "critical", "log"})
CONTAINER_METHODS = frozenset({
    "append", "add", "extend", "insert", "appendleft", "extendleft", "put", "put_nowait", "setdefault", "update",
})
# Methods whose result is (a view of) what a container holds: the work in it stays reachable through it.
CONTAINER_VIEWS = frozenset({"values", "keys", "items", "copy"})
CONTAINER_READS = CONTAINER_VIEWS | frozenset({"pop", "popleft", "get"})
# Calls that iterate their argument to the end: an executor ``map`` iterator is then consumed.
CONSUMERS = frozenset({"list", "tuple", "set", "frozenset", "sorted", "sum", "min", "max", "any", "all", "dict"})
ITERATOR_METHODS = frozenset({"map", "imap", "imap_unordered"})
RECEIVER_HINTS = (("executor", "executor"), ("pool", "pool"), ("loop", "loop"))
# Calls that do not raise in practice: between scheduling and settling they open no exception path.
QUIET_FUNCTIONS = OBSERVERS | CONSUMERS | frozenset({
    "dict", "list", "tuple", "set", "range", "enumerate", "zip", "reversed", "callable", "getattr", "hasattr",
    "time.time", "time.monotonic", "time.perf_counter", "time.sleep", "time.time_ns", "time.monotonic_ns",
    "os.getenv", "os.environ.get", "uuid.uuid4", "uuid.uuid1", "json.dumps", "logging.getLogger",
    "threading.Event", "threading.Lock", "threading.current_thread", "queue.Queue", "contextvars.copy_context",
    # synchronisation primitives built beside the work (``parent, child = Pipe()`` before each process)
    "threading.RLock", "threading.Semaphore", "threading.BoundedSemaphore", "threading.Condition",
    "threading.Barrier", "queue.SimpleQueue", "queue.LifoQueue", "queue.PriorityQueue", "collections.deque",
    "multiprocessing.Pipe", "multiprocessing.Queue", "multiprocessing.SimpleQueue", "multiprocessing.Event",
    "multiprocessing.Lock", "asyncio.Queue", "asyncio.Event", "asyncio.Lock", "asyncio.Semaphore",
    "functools.partial",
    "asyncio.get_event_loop", "asyncio.get_running_loop", "asyncio.new_event_loop", "asyncio.sleep",
    "datetime.datetime.now", "datetime.datetime.utcnow", "datetime.now", "datetime.utcnow",
})
QUIET_METHODS = CONTAINER_METHODS | frozenset({
    "format", "strip", "lstrip", "rstrip", "lower", "upper", "split", "rsplit", "startswith", "endswith",
    "replace", "items", "keys", "values", "copy", "is_alive", "done", "cancelled", "running", "set", "clear",
    "is_set", "isoformat", "total_seconds", "get_remaining_time_in_millis", "pop", "popleft", "remove",
    "close", "terminate", "kill", "stop", "quit", "cancel", "shutdown", "flush", "force_flush", "create_future",
    "add_done_callback",  # registers a callback (run at once on a done future, its errors logged): raises nothing
})
# Settle methods that mostly mean something else (``session.get(url)``): on a handle of unknown kind, a
# helper's parameter or attribute, they are not taken to settle it.
AMBIGUOUS_SETTLES = frozenset({"get"})
# Work run on a thread behind an awaitable: cancelling the awaitable (``asyncio.wait_for`` timing out) leaves
# the thread running. Qualified functions, or method names.
THREAD_BACKED = frozenset({"asyncio.to_thread", "run_in_executor"})
# Waits that cancel what they wait for when their timeout expires, and the position of their timeout.
CANCELLING_WAITS = {"asyncio.wait_for": 1, "asyncio.timeout": 1}
# Settle functions of these modules return an awaitable: they settle what they are given only when awaited.
AWAITED_WAIT_MODULES = ("asyncio.",)
# Settle functions (by their last name) that settle their arguments only as their result is iterated to the end.
ITERATED_WAITS = ("as_completed",)
# A keyword that makes a settle function return after the first of its arguments, unless it names ALL_COMPLETED.
PARTIAL_WAIT = ("return_when", "ALL_COMPLETED")
# Functions that start work whose result also carries their arguments' work: awaiting it settles both.
COMBINATORS = frozenset({"asyncio.gather"})
# Functions that run a loop until the coroutine they are given is done, and the method doing so on a loop.
FRESH_LOOP_RUNNERS = frozenset({"asyncio.run", "asyncio.runners.run"})  # a new loop, closed when they return
LOOP_RUN_METHODS = frozenset({"run_until_complete"})  # the receiver's loop, reused by later invocations
# Methods that settle work kept on a module-level object, for the hand-off policy (besides the kinds' own).
HAND_OFF_SETTLES = frozenset({"stop"})
# Submitting methods that do not start tracked work when their result is awaited at once.
AWAITED_IN_PLACE = frozenset({"run_in_executor"})
# Methods that seem to submit to a receiver guessed by its name (``self.pool.x``) but block (``Pool.map``).
BLOCKING_GUESSES = frozenset({"map"})
# Keywords that, given ``False``, make a receiver's settling method return without waiting (``shutdown(wait=False)``).
NON_WAITING_KEYWORDS = ("wait", "blocking")
# Creating functions that start work only when an argument has a value: (function prefix, position, value).
STARTS_ONLY_WITH = (("os.spawn", 0, "os.P_NOWAIT"),)  # other modes wait for the child
# Creating functions that return no handle: their work is settled through the Event or Lock given after the callable.
SIGNALLED_THROUGH_ARGUMENTS = frozenset({"_thread.start_new_thread", "_thread.start_new"})
# Where ``Thread``, ``Timer`` and ``Process`` take the callable they run: keywords, else this position.
CALLBACK_KEYWORDS = frozenset({"target", "function"})
CALLBACK_POSITION = 1
# Callbacks that resolve a future: waiting for the future (``fut.result()``) waits for the callback (``fut.set_result``).
FUTURE_RESOLVERS = frozenset({"set_result", "set_exception"})
FUTURE_WAIT = "result"
# The receiver kind of asyncio event loops: work submitted to a module-level one runs in later invocations.
EVENT_LOOP = "loop"
# The receiver kind guessed for an attribute of unknown type that work is submitted to (``self.pool.submit``).
EXECUTOR = "executor"
# Process-wide timer slots named by an argument, which a helper may settle for its callers (setitimer's others).
ARGUMENT_SLOTS = ("signal.ITIMER_VIRTUAL", "signal.ITIMER_PROF")
# A queue's ``join()`` waits until each item taken was marked done: it settles the work of threads draining it.
QUEUE_JOIN = "join"
QUEUE_ITEM_DONE = "task_done"
# State tests: what a test of a handle tells about its work on each branch.
ENDED_WHEN_TRUE = frozenset({"done"})  # ``if t.done():``
ENDED_WHEN_FALSE = frozenset({"is_alive"})  # ``if not t.is_alive():``
ENDED_WHEN_NOT_NONE = frozenset({"poll"})  # ``if p.poll() is not None:``
EXIT_STATUS_ATTRIBUTES = frozenset({"returncode", "exitcode"})  # ``if p.returncode is not None:``
# Settles that give up after a timeout by raising: on that path the work is still running.
TIMEOUT_RAISES = frozenset({"result", "exception", "communicate"})
# Settles that give up after a timeout silently: ``t.join(5)`` returns with the thread still running.
TIMEOUT_RETURNS = frozenset({"join", "wait"})


@dataclass(frozen=True)
class Catalogue:
    started_by: dict[tuple[str, str], WorkKind] = field(default_factory=dict)
    created_by: dict[str, WorkKind] = field(default_factory=dict)
    submitted_to: dict[tuple[str, str], WorkKind] = field(default_factory=dict)
    receivers: dict[str, str] = field(default_factory=dict)
    alarms: dict[str, tuple[WorkKind, Alarm]] = field(default_factory=dict)
    cancels: dict[str, tuple[WorkKind, Alarm]] = field(default_factory=dict)
    settle_methods: frozenset[str] = frozenset()
    settle_functions: frozenset[str] = frozenset()
    receiver_settles: frozenset[str] = frozenset()
    receiver_argument_settles: frozenset[str] = frozenset()
    buffers: dict[str, WorkKind] = field(default_factory=dict)  # constructor -> the buffering kind
    flushed_by: dict[str, set[str]] = field(default_factory=dict)  # method -> the buffer slots it flushes
    unawaited_call: WorkKind | None = None  # what an async function called without ``await`` returns

    @property
    def fixed_slots(self) -> set[str]:
        """Process-wide slots that do not depend on an argument: alarms' and buffers'."""
        slots = {alarm.slot for _, alarm in self.alarms.values() if alarm.slot is not None}
        return slots.union(*self.flushed_by.values())

    def started_types(self) -> set[str]:
        return {type_name for type_name, _ in self.started_by}

    @cached_property
    def started_methods(self) -> frozenset[str]:
        """Methods that start an object of a started type: ``start``, ``run``."""
        return frozenset(method for _, method in self.started_by)

    @cached_property
    def work_methods(self) -> frozenset[str]:
        """Methods that start or settle work."""
        return frozenset({method for _, method in self.started_by} | {method for _, method in self.submitted_to}
                         | self.settle_methods | self.receiver_settles | self.receiver_argument_settles
                         | set(self.flushed_by))

    @cached_property
    def effect_methods(self) -> frozenset[str]:
        """Every method name through which a call may start, submit, settle, flush or wait for work."""
        return self.work_methods | LOOP_RUN_METHODS | TIMEOUT_RAISES | TIMEOUT_RETURNS \
            | frozenset({QUEUE_JOIN, *THREAD_BACKED})

    @cached_property
    def effect_functions(self) -> frozenset[str]:
        """Every qualified name whose call may start, settle or wait for work, or run a loop until it is done."""
        return self.work_functions | FRESH_LOOP_RUNNERS | COMBINATORS | THREAD_BACKED | frozenset(CANCELLING_WAITS)

    def may_affect_work(self, qualified: str) -> bool:
        """A call to ``qualified`` (a dotted name) may act on work: by its name, or by its last name as
        a method (``LOOP.run_until_complete``) or as a wait settling only when iterated (``as_completed``)."""
        return qualified in self.effect_functions or qualified.rpartition(".")[2] in self.effect_methods \
            or qualified.endswith(ITERATED_WAITS)

    @cached_property
    def work_functions(self) -> frozenset[str]:
        """Functions and constructors that start or settle work."""
        return frozenset(set(self.created_by) | set(self.alarms) | set(self.cancels) | set(self.settle_functions)
                         | set(self.receivers) | self.started_types() | set(self.buffers))


@cache
def catalogue(models: tuple[WorkKind, ...] = ()) -> Catalogue:
    """The built-in rules' kinds, and the models a project declares."""
    result = Catalogue()
    methods: set[str] = set()
    functions: set[str] = set()
    receiver_settles: set[str] = set()
    argument_settles: set[str] = set()
    unawaited: WorkKind | None = None
    for kind in (*work_kinds(), *models):
        for key in kind.started_by:
            result.started_by[key] = kind
        for name in kind.created_by:
            result.created_by[name] = kind
        for key in kind.submitted_to:
            result.submitted_to[key] = kind
        for constructor, receiver in kind.receivers:
            result.receivers[constructor] = receiver
        for alarm in kind.alarms:
            result.alarms[alarm.arm] = (kind, alarm)
            if alarm.cancel:
                result.cancels[alarm.cancel] = (kind, alarm)
        if kind.unawaited_async_calls:
            unawaited = kind
        for constructor in kind.buffers:
            result.buffers[constructor] = kind
        for method in kind.flushed_by:
            if kind.buffer_slot is not None:
                result.flushed_by.setdefault(method, set()).add(kind.buffer_slot)
        methods |= kind.settle_methods
        functions |= kind.settle_functions
        receiver_settles |= kind.receiver_settles
        argument_settles |= kind.receiver_argument_settles
    return Catalogue(
        started_by=result.started_by, created_by=result.created_by, submitted_to=result.submitted_to,
        receivers=result.receivers, alarms=result.alarms, cancels=result.cancels, settle_methods=frozenset(methods),
        settle_functions=frozenset(functions), receiver_settles=frozenset(receiver_settles),
        receiver_argument_settles=frozenset(argument_settles), buffers=result.buffers, flushed_by=result.flushed_by,
        unawaited_call=unawaited,
    )
