"""The classification of Python statements into effects, one behaviour per test.

Each test classifies the statements of a handler in order, applying each effect to a real
``Pending`` state (as the fixpoint does), and looks at the effects the last statement emitted.
"""

from __future__ import annotations

import ast
import textwrap

from leak_lsp.analysis.config import Settings
from leak_lsp.analysis.engine import _Module
from leak_lsp.analysis.lifecycle.classify import Classifier
from leak_lsp.analysis.lifecycle.effects import (
    Bind,
    Collect,
    Effect,
    GivesUp,
    HandOff,
    Only,
    PassInert,
    Settle,
    SettledBy,
    SettleOwner,
    Start,
    Unbind,
)
from leak_lsp.analysis.lifecycle.facts import gather_facts
from leak_lsp.analysis.lifecycle.handles import HandleKind, slot, variable
from leak_lsp.analysis.lifecycle.state import Ledger, Pending
from leak_lsp.analysis.lifecycle.work import Sites


class Classified:
    """The effects of each statement of the module's function ``handler``, and the sites they start."""

    def __init__(self, source: str) -> None:
        module = _Module(textwrap.dedent(source), "module.py", Settings())
        function = next(node for node in module.tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                        and node.name == "handler")
        facts = gather_facts(function, module.env, "handler", None, module.env.scope.child(function))
        self.sites = Sites()
        pending = Pending(frozenset(), Ledger(self.sites, facts.scope))
        self.per_statement: list[list[Effect]] = []
        for statement in function.body:
            effects: list[Effect] = []

            def emit(effect: Effect, effects: list[Effect] = effects) -> None:
                effects.append(effect)
                pending.apply(effect)
            Classifier(facts, self.sites, pending.reaches, emit, statement).statement(statement)
            self.per_statement.append(effects)

    @property
    def last(self) -> list[Effect]:
        return self.per_statement[-1]

    def kind_started(self, effect: Effect) -> str:
        assert isinstance(effect, Start)
        kind = self.sites.works[effect.site].kind
        assert kind is not None
        return kind.name


def test_starting_a_constructed_thread_is_a_start_of_a_thread() -> None:
    classified = Classified('''
        import threading
        def handler(event, context):
            threading.Thread(target=print).start()
    ''')
    [start] = classified.last
    assert isinstance(start, Start) and classified.kind_started(start) == "thread"
    assert [handle.kind for handle in start.handles] == [HandleKind.FRESH]


def test_a_started_variable_reaches_its_work_through_the_variable() -> None:
    classified = Classified('''
        import threading
        def handler(event, context):
            t = threading.Thread(target=print)
            t.start()
    ''')
    [start] = classified.last
    assert isinstance(start, Start) and variable("t") in start.handles


def test_assigning_a_call_binds_the_target_to_its_fresh_handle() -> None:
    classified = Classified('''
        import subprocess
        def handler(event, context):
            p = subprocess.Popen(["ls"])
    ''')
    start, bind = classified.last
    assert isinstance(start, Start) and isinstance(bind, Bind)
    assert bind.target == variable("p") and bind.sources == start.handles


def test_joining_a_thread_settles_what_its_variable_reaches_by_the_method() -> None:
    classified = Classified('''
        import threading
        def handler(event, context):
            t = threading.Thread(target=print)
            t.start()
            t.join()
    ''')
    assert classified.last[-1] == Settle(frozenset({variable("t")}), SettledBy("join"))


def test_awaiting_a_task_settles_only_awaitable_work() -> None:
    classified = Classified('''
        import asyncio
        async def handler(event, context):
            task = asyncio.create_task(asyncio.sleep(1))
            await task
    ''')
    assert classified.last == [Settle(frozenset({variable("task")}), Only.AWAITABLE)]


def test_appending_a_submitted_future_collects_it_into_the_list() -> None:
    classified = Classified('''
        from concurrent.futures import ThreadPoolExecutor
        pool = ThreadPoolExecutor()
        def handler(event, context):
            futures = []
            futures.append(pool.submit(print))
    ''')
    start, collect = classified.last
    assert isinstance(start, Start) and classified.kind_started(start) == "future"
    assert collect == Collect(variable("futures"), start.handles)


def test_passing_work_to_an_unknown_function_hands_it_off_to_that_function() -> None:
    classified = Classified('''
        import threading
        def handler(event, context):
            t = threading.Thread(target=print)
            t.start()
            register(t)
    ''')
    assert classified.last == [HandOff(frozenset({variable("t")}), "`register()`", "register")]


def test_logging_work_hands_nothing_off() -> None:
    classified = Classified('''
        import logging, threading
        def handler(event, context):
            t = threading.Thread(target=print)
            t.start()
            logging.info(t)
    ''')
    assert classified.last == []


def test_shutting_an_executor_down_settles_everything_submitted_to_it() -> None:
    classified = Classified('''
        from concurrent.futures import ThreadPoolExecutor
        def handler(event, context):
            pool = ThreadPoolExecutor()
            pool.submit(print)
            pool.shutdown()
    ''')
    [settle] = classified.last
    assert isinstance(settle, SettleOwner) and settle.owner.name == "pool"


def test_arming_an_alarm_replaces_the_timer_of_its_slot() -> None:
    classified = Classified('''
        import signal
        def handler(event, context):
            signal.alarm(5)
    ''')
    settle, start = classified.last
    assert settle == Settle(frozenset({slot("signal.ITIMER_REAL")}))
    assert isinstance(start, Start) and slot("signal.ITIMER_REAL") in start.handles


def test_arming_an_alarm_for_zero_seconds_only_disarms_it() -> None:
    classified = Classified('''
        import signal
        def handler(event, context):
            signal.alarm(0)
    ''')
    assert classified.last == [Settle(frozenset({slot("signal.ITIMER_REAL")}))]


def test_a_coroutine_passed_to_gather_is_passed_as_inert_work() -> None:
    classified = Classified('''
        import asyncio
        async def work():
            pass
        async def handler(event, context):
            coroutine = work()
            asyncio.gather(coroutine)
    ''')
    assert classified.last[0] == PassInert(frozenset({variable("coroutine")}))


def test_a_wait_with_a_timeout_on_executor_work_gives_up_on_the_thread() -> None:
    classified = Classified('''
        import asyncio
        async def handler(event, context):
            loop = asyncio.get_running_loop()
            await asyncio.wait_for(loop.run_in_executor(None, print), 5)
    ''')
    assert any(isinstance(effect, GivesUp) for effect in classified.last)


def test_deleting_a_variable_unbinds_it() -> None:
    classified = Classified('''
        def handler(event, context):
            x = 1
            del x
    ''')
    assert classified.last == [Unbind(variable("x"))]
