"""Calls to functions whose summaries the analysis knows (a helper of this module or of another one,
a method, a constructor, a context manager, a thread's target): the summary lowered to effects at the
call site."""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from leak_lsp.analysis.catalogue import QUEUE_ITEM_DONE
from leak_lsp.analysis.lifecycle.effects import Collect, Handles, LeftOnRaise, PassInert, Settle, Start
from leak_lsp.analysis.lifecycle.handles import Handle, drained, fresh, rebased, slot, variable
from leak_lsp.analysis.lifecycle.syntax import assigned_names, callback_of, passed_to, resolved_future
from leak_lsp.analysis.lifecycle.work import Origin, Summary, Work
from leak_lsp.analysis.parsing import within_lines

if TYPE_CHECKING:
    from leak_lsp.analysis.lifecycle.classify import Classifier

NOTHING: Handles = frozenset()


@dataclass(frozen=True)
class Arguments:
    """The handles a call's arguments reach."""

    positional: list[Handles] = field(default_factory=list)
    keywords: dict[str | None, Handles] = field(default_factory=dict)
    receiver: Handles = NOTHING
    all: Handles = NOTHING  # what the positional and keyword arguments reach

    @classmethod
    def evaluate(cls, step: Classifier, node: ast.Call) -> Arguments:
        """Evaluated in order: positional, keyword, then the receiver of a method."""
        positional = [step.evaluate(argument) for argument in node.args]
        keywords = {keyword.arg: step.evaluate(keyword.value) for keyword in node.keywords}
        func = node.func
        receiver = step.evaluate(func.value) if isinstance(func, ast.Attribute) else NOTHING
        return cls(positional, keywords, receiver, NOTHING.union(*positional, *keywords.values()))



@dataclass(frozen=True)
class Called:
    """A function a call goes to whose summary can be drawn."""

    name: str  # dotted, for messages: ``Tracker.start``
    summarize: Callable[[], Summary | None]  # None while it is being summarised (a recursive call)
    is_async: bool
    constructs: bool  # a class's ``__init__``: the call returns the object


def called_helper(step: Classifier, node: ast.Call) -> Called | None:
    """The helper of this module or of another module of the workspace a call goes to."""
    env = step.facts.env
    target = local_function(step, node.func)
    if target is not None:
        function, name = target
        return Called(name, lambda: env.summarize(function, name), isinstance(function, ast.AsyncFunctionDef),
                      constructs=getattr(function, "name", "") == "__init__")
    external = env.external(node)
    if external is not None:
        return Called(external.name, lambda: external.summary, external.is_async,
                      constructs=external.name.endswith(".__init__"))
    return None


def helper_call(step: Classifier, node: ast.Call, called: Called, arguments: Arguments, top: bool, awaited: bool,
                instance: Handle | None = None) -> Handles:
    """What the helper does to its callers' work (settles it, leaves its own running, returns it). A
    constructor's work kept on ``self`` stays reachable through the object it returns."""
    if called.is_async and not awaited:
        step.emit(PassInert(NOTHING.union(*arguments.positional)))
        unawaited = step.facts.catalogue.unawaited_call
        return step.create(unawaited, node, name=f"{called.name}()") if top and unawaited is not None else NOTHING
    summary = called.summarize()
    if summary is None:
        return NOTHING
    step.emit(Settle(frozenset(slot(name) for name in summary.disarms)))
    instance = instance or (fresh(f"new{id(node)}") if called.constructs else instance_of(step, node.func))
    step.emit(Settle(rebased(summary.settles_attributes, instance)))
    for index in summary.settles:
        step.emit(Settle(_argument(arguments, summary, index)))
    for index, attribute in summary.stores.items():  # ``Page(driver)`` keeps it: ``page.close()`` may settle it
        if instance is not None:
            step.emit(Collect(instance.attribute(attribute), _argument(arguments, summary, index)))
    add_leaks(step, node, called.name, summary, Origin.HELPER_LEAKS, instance)
    for number, (work, raised) in enumerate(summary.raise_leaks):  # reported whatever the caller catches
        assert work.kind is not None
        site = step.sites.site(work.kind, node, step.current, Origin.HELPER_RAISES, number, helper=called.name,
                               via=work.via, slot=work.slot, alarm=work.alarm, owner=work.owner)
        step.emit(LeftOnRaise(site, raised))
    returned = NOTHING
    for number, work in enumerate(summary.returns):
        assert work.kind is not None
        site = step.sites.site(work.kind, node, step.current, Origin.HELPER_RETURNS, number, helper=called.name,
                               via=work.via, owner=work.owner, iterator=work.iterator,
                               on_module_loop=work.on_module_loop)
        handle = fresh(str(site))
        step.emit(Start(site, frozenset({handle})))
        returned = returned | {handle}
    return returned | ({instance} if called.constructs and instance else NOTHING)


def _argument(arguments: Arguments, summary: Summary, index: int) -> Handles:
    """The handles of the argument a summary's parameter ``index`` received, positional or by keyword."""
    if index < len(arguments.positional):
        return arguments.positional[index]
    return arguments.keywords.get(summary.params[index] if index < len(summary.params) else None, NOTHING)


def add_leaks(step: Classifier, node: ast.Call, name: str, summary: Summary, origin: Origin, instance: Handle | None,
              names_of: Callable[[Work], Handles] = lambda work: NOTHING) -> None:
    """The work a called function leaves running, pending from this call on; through the instance's
    attributes when it kept the work on ``self``, and through the handles ``names_of`` gives it here."""
    guarded = step.facts.guarded
    for number, work in enumerate(summary.leaks):
        assert work.kind is not None
        site = step.sites.site(work.kind, node, step.current, origin, number, helper=name,
                               via=work.via, slot=work.slot, alarm=work.alarm, slot_source=work.slot_source,
                               owner=work.owner, on_module_loop=work.on_module_loop, resolves=work.resolves,
                               guarded=work.guarded or id(node) in guarded,
                               requires=work.requires or guarded.get(id(node)))
        names = (frozenset({slot(work.slot)}) if work.slot else NOTHING) | rebased(work.attributes, instance)
        step.emit(Start(site, names | names_of(work)))


def callback_work(step: Classifier, constructor: ast.Call | None, node: ast.Call) -> None:
    """``Thread(target=f)``, ``Timer(t, f)``: work the callback starts and leaves running (a timer re-armed
    from its own callback) outlives whatever settles the first one."""
    if constructor is None:
        return
    callback = callback_of(constructor)
    target = local_function(step, callback) if callback is not None else None
    if target is None:
        return
    function, name = target
    summary = step.facts.env.summarize(function, name)
    if summary is not None:
        passed = passed_to(constructor, function)

        def resolved(work: Work) -> Handles:
            """A callback resolving a future the thread was given: waiting for the future waits for it."""
            if not (work.resolves and isinstance(work.node, ast.Call)):
                return NOTHING
            return frozenset(variable(passed[param]) for param in resolved_future(work.node) if param in passed)
        add_leaks(step, node, name, summary, Origin.CALLBACK_LEAKS, None, resolved)


def queues_drained(step: Classifier, constructor: ast.Call | None) -> Handles:
    """``Thread(target=worker, args=(q,))`` where ``worker`` calls ``q.task_done()``: ``q.join()`` waits for
    the work it was given, so it settles the thread's work (the idle worker itself is left blocked on the queue)."""
    callback = callback_of(constructor) if constructor is not None else None
    target = local_function(step, callback) if callback is not None else None
    if constructor is None or target is None:
        return NOTHING
    function = target[0]
    if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) and not any(
            within_lines(function, call) for call in step.facts.env.calls_named(QUEUE_ITEM_DONE)):
        return NOTHING  # most callbacks mark no queue's item done: no walk
    marks_done = [node.func.value for node in ast.walk(function) if isinstance(node, ast.Call)
                  and isinstance(node.func, ast.Attribute) and node.func.attr == QUEUE_ITEM_DONE]
    if not marks_done:
        return NOTHING
    passed = {node.id for keyword in constructor.keywords if keyword.arg == "args"
              for node in ast.walk(keyword.value) if isinstance(node, ast.Name)}
    passed |= {node.id for argument in constructor.args[2:] for node in ast.walk(argument) if isinstance(node, ast.Name)}
    own = assigned_names(function, step.facts.env.nodes_of(function))
    shared = {queue.id for queue in marks_done if isinstance(queue, ast.Name) and queue.id not in own}
    return frozenset(drained(name) for name in passed | shared)


def instance_of(step: Classifier, func: ast.expr) -> Handle | None:
    """``self.m()`` or ``tracker.m()`` on an instance of a class of the module: the handle its attributes hang from."""
    if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)):
        return None
    facts = step.facts
    owner = func.value.id
    if owner == facts.self_name or owner in facts.instance_classes or owner in facts.imported_instances:
        return variable("self" if owner == facts.self_name else owner)
    return None


def local_function(step: Classifier, func: ast.expr) -> tuple[ast.AST, str] | None:
    """The function of this module a call goes to, with its dotted name."""
    facts = step.facts
    scope = facts.env.scope
    if isinstance(func, ast.Name):
        if func.id in facts.nested_functions:
            return facts.nested_functions[func.id], func.id
        if func.id in scope.functions and func.id not in facts.local_names:
            return scope.functions[func.id], func.id
        if func.id in scope.classes and func.id not in facts.local_names:
            constructor = facts.env.methods_of(func.id).get("__init__")  # ``TimeoutGuard(context)``
            return (constructor, func.id) if constructor is not None else None
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        owner = func.value.id
        class_name = facts.owner_class if owner in {"self", "cls"} else None
        if class_name is None and owner in scope.classes:
            class_name = owner
        if class_name is None:
            class_name = facts.instance_classes.get(owner)
        if class_name is not None:
            method = facts.env.methods_of(class_name).get(func.attr)
            if method is not None:
                return method, f"{class_name}.{func.attr}"
    return None


def with_instance(step: Classifier, expression: ast.expr) -> Handle | None:
    """The one handle of a ``with Guard(...)`` object of this module across its block: ``__init__``,
    ``__enter__`` and ``__exit__`` act on the same ``self``."""
    if not (isinstance(expression, ast.Call) and isinstance(expression.func, ast.Name)
            and expression.func.id in step.facts.env.scope.classes):
        return None
    return variable(f"<with {id(expression)}>")


def context_manager(step: Classifier, expression: ast.expr, method: str) -> None:
    """``with Guard(...)``: what a context manager of this module does on entering or leaving."""
    instance = with_instance(step, expression)
    if instance is None or not isinstance(expression, ast.Call) or not isinstance(expression.func, ast.Name):
        return
    function = step.facts.env.methods_of(expression.func.id).get(method)
    if function is not None:
        name = f"{expression.func.id}.{method}"
        called = Called(name, lambda: step.facts.env.summarize(function, name), False, constructs=False)
        # one handle for the object across the block, so ``__exit__`` settles what ``__enter__`` kept on ``self``
        helper_call(step, expression, called, Arguments(), False, True, instance=instance)
