"""The classification of a call: what it does to work (start, submit, settle, collect, hand off), looked up
in the catalogue of kinds; calls to helpers whose summaries are known go to ``helpers.py``."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from leak_lsp.analysis.catalogue import (
    AWAITED_IN_PLACE,
    AWAITED_WAIT_MODULES,
    BLOCKING_GUESSES,
    CANCELLING_WAITS,
    COMBINATORS,
    CONSUMERS,
    CONTAINER_METHODS,
    CONTAINER_READS,
    EVENT_LOOP,
    EXECUTOR,
    EXIT_CALLBACKS,
    EXIT_CONTEXTS,
    FRESH_LOOP_RUNNERS,
    ITERATED_WAITS,
    ITERATOR_METHODS,
    LOGGER_METHODS,
    LOOP_RUN_METHODS,
    NON_WAITING_KEYWORDS,
    OBSERVER_MODULES,
    OBSERVERS,
    PARTIAL_WAIT,
    QUEUE_JOIN,
    RECEIVER_HINTS,
    RETURNS_ARGUMENT,
    SIGNALLED_THROUGH_ARGUMENTS,
    STARTS_ONLY_WITH,
)
from leak_lsp.analysis.lifecycle import helpers
from leak_lsp.analysis.lifecycle.effects import (
    Collect,
    GivesUp,
    Handles,
    HandOff,
    LeaveWith,
    PassInert,
    Settle,
    SettledBy,
    SettleOwner,
)
from leak_lsp.analysis.lifecycle.handles import drained, slot, variable
from leak_lsp.analysis.lifecycle.helpers import Arguments
from leak_lsp.analysis.lifecycle.syntax import (
    false_keyword,
    has_timeout,
    is_zero,
    keyword_value,
    positional,
    resolved_future,
)
from leak_lsp.analysis.lifecycle.work import Held, Owner
from leak_lsp.rules.rule import Alarm, WorkKind

if TYPE_CHECKING:
    from leak_lsp.analysis.lifecycle.classify import Classifier

NOTHING: Handles = frozenset()


def classify_call(step: Classifier, node: ast.Call, top: bool, awaited: bool) -> Handles:
    """Emit what a call does to work; return the handles through which its value reaches work."""
    func = node.func
    arguments = Arguments.evaluate(step, node)
    qualified = step.facts.scope.qualify(func) or ""
    known = step.facts.catalogue
    if qualified in known.alarms:  # a process-wide timer armed or disarmed
        return alarm(step, node, *known.alarms[qualified])
    if qualified in known.cancels:
        step.emit(Settle(frozenset({slot(slot_of(step, node, known.cancels[qualified][1]))})))
        return NOTHING
    if isinstance(func, ast.Attribute):
        if func.attr in known.flushed_by:  # and on: the receiver may settle more
            step.emit(Settle(frozenset(slot(name) for name in known.flushed_by[func.attr])))
        handled = method_call(step, node, func, arguments, awaited)
        if handled is not None:
            return handled
    return function_call(step, node, qualified, arguments, top, awaited)


def function_call(step: Classifier, node: ast.Call, qualified: str, arguments: Arguments, top: bool,
                  awaited: bool) -> Handles:
    """A call that is not a method of work, an executor or a container: by its qualified name."""
    known = step.facts.catalogue
    if qualified in known.settle_functions and qualified not in COMBINATORS:
        return settle_function(step, node, qualified, arguments)
    if qualified in FRESH_LOOP_RUNNERS or "." in qualified and qualified.rpartition(".")[2] in LOOP_RUN_METHODS:
        step.emit(Settle(arguments.all))
        return NOTHING
    if qualified in known.created_by:  # subprocess.Popen(...), asyncio.create_task(...), os.fork()
        return created(step, node, qualified, known.created_by[qualified], arguments.all, awaited)
    called = helpers.called_helper(step, node)
    if called is not None:
        return helpers.helper_call(step, node, called, arguments, top, awaited)
    if qualified in CONSUMERS:
        for argument, handles in zip(node.args, arguments.positional):
            step.consume(argument, handles)
        return NOTHING
    if qualified in RETURNS_ARGUMENT:  # ``closing(driver)``: the value is the driver itself
        return arguments.all
    handed = arguments.all - lent(step, node, arguments)
    if handed and not observer(qualified, node.func):
        text = ast.unparse(node.func)
        step.emit(HandOff(handed, f"`{text}()`", text))
    return NOTHING


def lent(step: Classifier, node: ast.Call, arguments: Arguments) -> Handles:
    """Names the caller goes on using after the call (``WebDriverWait(driver)`` then ``driver.quit()``): the
    callee borrowed them, so the caller still owns their work."""
    passed = [*zip(node.args, arguments.positional),
              *((keyword.value, arguments.keywords.get(keyword.arg, NOTHING)) for keyword in node.keywords)]
    return NOTHING.union(*(handles for argument, handles in passed
                           if isinstance(argument, ast.Name) and step.facts.used_after(argument.id, node)))


def method_call(step: Classifier, node: ast.Call, func: ast.Attribute, arguments: Arguments,
                awaited: bool) -> Handles | None:
    """A method that starts, submits, settles, collects or reads work; None when it is none of those."""
    method, receiver = func.attr, func.value
    if method in step.facts.catalogue.started_methods:
        started = started_kind(step, receiver, method)
        if started is not None:
            return start(step, node, receiver, started)
    receiver_kind, owner = receiver_of(step, receiver)
    if receiver_kind is not None:
        handled = receiver_call(step, node, method, receiver_kind, owner, arguments.all, awaited)
        if handled is not None:
            return handled
    if method == QUEUE_JOIN and isinstance(receiver, ast.Name):
        step.emit(Settle(frozenset({drained(receiver.id)})))  # ``q.join()``: the workers marked every item done
    if method in step.facts.catalogue.settle_methods and arguments.receiver:  # t.join(), fut.result(), p.wait()
        step.emit(Settle(arguments.receiver, SettledBy(method)))
        return NOTHING
    if node.args and (method in EXIT_CALLBACKS or method in EXIT_CONTEXTS):
        return exit_registration(step, node.args[0], method, arguments)
    return container_call(step, method, receiver, arguments)


def exit_registration(step: Classifier, registered: ast.expr, method: str, arguments: Arguments) -> Handles:
    """``stack.callback(driver.quit)``, ``stack.enter_context(driver)``: settled at the stack's exit, which
    runs on every path out of its block."""
    if method in EXIT_CONTEXTS:
        step.emit(LeaveWith(arguments.positional[0], frozenset()))
    elif isinstance(registered, ast.Attribute):
        step.emit(Settle(step.handles_of(registered.value), SettledBy(registered.attr)))
    return NOTHING


def container_call(step: Classifier, method: str, receiver: ast.expr, arguments: Arguments) -> Handles | None:
    """``futures.append(f)``, ``self.threads.append(t)``, ``tasks.pop()``; None for other methods."""
    if method in CONTAINER_METHODS and isinstance(receiver, ast.Name) and arguments.all:
        step.collect_or_hand_off(receiver.id, arguments.all)
        return NOTHING
    attribute = step.facts.attribute_handle(receiver)
    if method in CONTAINER_METHODS and attribute is not None and arguments.all:
        step.emit(Collect(attribute, arguments.all))
        return NOTHING
    if method in CONTAINER_READS and arguments.receiver:
        return arguments.receiver  # a container of work: what it holds
    return None


def start(step: Classifier, node: ast.Call, receiver: ast.expr, started: WorkKind) -> Handles:
    """``Thread(...).start()``, ``t.start()``: the work is reachable through the receiver, the containers
    it was put in, and the queues its callback drains."""
    facts = step.facts
    names: set[str] = set()
    if isinstance(receiver, ast.Name):
        names = {receiver.id, *facts.collected_into.get(receiver.id, set())}
        if receiver.id in facts.element_of:
            names.add(facts.element_of[receiver.id])
    attribute = facts.attribute_handle(receiver)
    handles = frozenset(variable(name) for name in names) | ({attribute} if attribute is not None else NOTHING)
    constructor = receiver if isinstance(receiver, ast.Call) else facts.constructions.get(ast.unparse(receiver))
    handles |= helpers.queues_drained(step, constructor)
    name = receiver.id if isinstance(receiver, ast.Name) else attribute.text if attribute is not None else None
    work = step.create(started, node, names=handles, name=name)
    if isinstance(receiver, ast.Attribute) and attribute is None:
        text = ast.unparse(receiver)
        step.emit(HandOff(work, f"`{text}`", text))
    elif isinstance(receiver, ast.Name) and receiver.id in facts.globals:
        step.emit(HandOff(work, f"the module-level `{receiver.id}`", receiver.id))
    helpers.callback_work(step, constructor, node)
    return work if started.start_returns_handle else NOTHING


def receiver_call(step: Classifier, node: ast.Call, method: str, receiver_kind: str, owner: Owner | None,
                  all_arguments: Handles, awaited: bool) -> Handles | None:
    """``executor.submit(...)``, ``loop.create_task(...)``, ``executor.shutdown()``; None for other methods."""
    known = step.facts.catalogue
    submitted = known.submitted_to.get((receiver_kind, method))
    if submitted is None and owner and owner.held is Held.ATTRIBUTE and method not in BLOCKING_GUESSES:
        submitted = known.submitted_to.get((EXECUTOR, method))  # ``self.pool.submit``: a guess by name
    if submitted is not None:
        if method in AWAITED_IN_PLACE and awaited:
            return NOTHING
        future = frozenset(variable(name) for name in resolved_future(node))
        return step.create(submitted, node, names=future, resolves=bool(future), owner=owner,
                           iterator=method in ITERATOR_METHODS,
                           on_module_loop=bool(owner and owner.held is Held.MODULE and receiver_kind == EVENT_LOOP))
    if method in known.receiver_settles and owner \
            and not any(false_keyword(node, keyword) for keyword in NON_WAITING_KEYWORDS):
        step.emit(SettleOwner(owner))
        return NOTHING
    if method in known.receiver_argument_settles or method in LOOP_RUN_METHODS:
        step.emit(Settle(all_arguments))
        return NOTHING
    return None


def settle_function(step: Classifier, node: ast.Call, qualified: str, arguments: Arguments) -> Handles:
    """``wait(futures)``, ``await asyncio.wait(tasks)``: the work passed is settled, unless the wait may
    return after the first (``return_when``) or settles only as it is iterated (``as_completed``)."""
    keyword, complete = PARTIAL_WAIT
    partial = keyword_value(node, keyword, lambda value: not value.endswith(complete))
    if qualified in CANCELLING_WAITS and has_timeout(node, position=CANCELLING_WAITS[qualified]):
        step.emit(GivesUp(arguments.positional[0] if arguments.positional else NOTHING, node))
    if qualified.startswith(AWAITED_WAIT_MODULES):
        return NOTHING if partial else arguments.all  # settled when awaited
    if not partial and not qualified.endswith(ITERATED_WAITS):
        step.emit(Settle(arguments.all))
    return NOTHING


def created(step: Classifier, node: ast.Call, qualified: str, kind: WorkKind, all_arguments: Handles,
            awaited: bool) -> Handles:
    """Work a function call starts: ``subprocess.Popen(...)``, ``asyncio.gather(...)`` (which carries its
    arguments' work), ``_thread.start_new_thread(f, (lock,))`` (settled through what it is given)."""
    for prefix, position, value in STARTS_ONLY_WITH:
        if qualified.startswith(prefix) and len(node.args) > position \
                and (step.facts.scope.qualify(node.args[position]) or "") != value:
            return NOTHING
    step.emit(PassInert(all_arguments))
    passed_on = all_arguments if qualified in COMBINATORS else NOTHING
    if awaited and kind.awaitable:
        return passed_on
    signals = NOTHING
    if qualified in SIGNALLED_THROUGH_ARGUMENTS:  # no handle: settled through an Event or Lock it is given
        signals = frozenset(variable(n.id) for arg in node.args[1:] for n in ast.walk(arg) if isinstance(n, ast.Name))
    return step.create(kind, node, names=signals) | passed_on


def observer(qualified: str, func: ast.expr) -> bool:
    """Calls that only look at work (logging it, printing it): passing work to them hands nothing off."""
    return qualified in OBSERVERS or ast.unparse(func).startswith(OBSERVER_MODULES) or (
        isinstance(func, ast.Attribute) and func.attr in LOGGER_METHODS)


def alarm(step: Classifier, node: ast.Call, kind: WorkKind, armed: Alarm) -> Handles:
    """One timer per slot: arming again replaces it, arming for zero seconds disarms it."""
    name = slot_of(step, node, armed)
    seconds = positional(node, armed.seconds_argument) if armed.seconds_argument is not None else None
    step.emit(Settle(frozenset({slot(name)})))
    if seconds is not None and is_zero(seconds):
        return NOTHING
    source = ast.unparse(node.args[0]) if armed.slot is None and node.args else None
    step.create(kind, node, names=frozenset({slot(name)}), slot=name, alarm=armed, slot_source=source)
    return NOTHING


def slot_of(step: Classifier, node: ast.Call, armed: Alarm) -> str:
    if armed.slot is not None:
        return armed.slot
    if node.args:
        return step.facts.scope.qualify(node.args[0]) or ast.unparse(node.args[0])
    return "?"


def started_kind(step: Classifier, receiver: ast.expr, method: str) -> WorkKind | None:
    if isinstance(receiver, ast.Call):
        constructed = step.facts.constructed_type(receiver)
    elif isinstance(receiver, (ast.Name, ast.Attribute)):
        constructed = step.facts.types.get(ast.unparse(receiver))
    else:
        constructed = None
    if constructed is None:
        return None
    return step.facts.catalogue.started_by.get((constructed, method))


def receiver_of(step: Classifier, node: ast.expr) -> tuple[str | None, Owner | None]:
    """The executor or loop kind of a call's receiver, and who holds it; a guess by name for attributes."""
    facts = step.facts
    text = ast.unparse(node) if isinstance(node, (ast.Name, ast.Attribute)) else ""
    if text:
        known = facts.receivers.get(text) or facts.env.attribute_receivers.get(text)
        if known is not None:
            return known
    if isinstance(node, ast.Call):
        kind = facts.receiver_of_constructor(node)
        if kind is not None:
            return kind, None
    if isinstance(node, ast.Name) and node.id in facts.scope.imports:
        text = ""
    last = text.rsplit(".", 1)[-1].lower()
    for hint, kind in RECEIVER_HINTS:
        if hint in last:
            return kind, Owner(Held.ATTRIBUTE, text)
    return None, None
