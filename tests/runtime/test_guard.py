"""``@guard`` on real handlers, each run in a fresh interpreter (the guard wraps process-wide APIs)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

PRELUDE = """\
import asyncio, logging, signal, subprocess, sys, threading, time
logging.basicConfig(level=logging.WARNING, format="%(message)s", stream=sys.stderr)
from leak_lsp.runtime import guard
"""


def run_script(tmp_path: Path, body: str) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "app.py"
    script.write_text(PRELUDE + textwrap.dedent(body))
    return subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)


def warnings_of(completed: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in completed.stderr.splitlines() if line.startswith("leak-lsp:")]


def test_timer_firing_in_a_later_invocation_is_logged_with_both_invocations(tmp_path: Path) -> None:
    completed = run_script(tmp_path, """
        FIRED = threading.Event()

        @guard
        def handler(event, context):
            if event == 1:
                threading.Timer(0.05, FIRED.set).start()
            else:
                FIRED.wait(5)
            return event

        handler(1, None)
        handler(2, None)
    """)
    leaks = [line for line in warnings_of(completed) if " ran during " in line]
    # invocation 2 starts at once; on a loaded machine the timer may still beat it, into the idle gap
    assert leaks in ([f"leak-lsp: Timer(0.05, Event.set) scheduled in invocation 1 at {tmp_path / 'app.py'}:10 "
                      f"ran during {phase}: Event.set() started"] for phase in ("invocation 2", "idle after invocation 1"))


def test_work_pending_at_return_is_logged_when_the_invocation_ends(tmp_path: Path) -> None:
    completed = run_script(tmp_path, """
        STOP = threading.Event()

        @guard
        def handler(event, context):
            threading.Thread(target=STOP.wait).start()

        handler({}, None)
        STOP.set()
    """)
    pending = warnings_of(completed)[0]
    assert pending.startswith("leak-lsp: thread running Event.wait() scheduled at ")
    assert pending.endswith(" is still pending when invocation 1 returns")


def test_armed_real_timer_is_logged_when_the_invocation_ends(tmp_path: Path) -> None:
    completed = run_script(tmp_path, """
        @guard
        def handler(event, context):
            signal.setitimer(signal.ITIMER_REAL, 30)

        handler({}, None)
    """)
    [pending] = warnings_of(completed)
    assert "signal.setitimer(ITIMER_REAL, 30)" in pending and "still pending when invocation 1 returns" in pending


def test_task_left_on_the_loop_by_an_async_handler_is_logged(tmp_path: Path) -> None:
    completed = run_script(tmp_path, """
        async def audit():
            await asyncio.sleep(0.01)

        @guard
        async def main(req):
            asyncio.create_task(audit())
            return req

        loop = asyncio.new_event_loop()
        loop.run_until_complete(main(1))
        loop.run_until_complete(asyncio.sleep(0.05))
    """)
    first, second = warnings_of(completed)
    assert "task audit()" in first and "still pending when invocation 1 returns" in first
    assert "task audit() scheduled in invocation 1" in second and "ran during idle after invocation 1" in second


def test_settled_handler_logs_nothing(tmp_path: Path) -> None:
    completed = run_script(tmp_path, """
        @guard
        def handler(event, context):
            thread = threading.Thread(target=time.sleep, args=(0.01,))
            thread.start()
            thread.join()
            signal.alarm(5)
            signal.alarm(0)
            subprocess.run(["true"])
            return event

        for number in range(3):
            handler(number, None)
    """)
    assert completed.returncode == 0
    assert warnings_of(completed) == []


def test_result_and_exception_of_the_handler_are_unchanged(tmp_path: Path) -> None:
    completed = run_script(tmp_path, """
        @guard
        def handler(event, context):
            if event == "fail":
                raise KeyError("boom")
            return {"echo": event}

        @guard
        async def main(req):
            return [req]

        assert handler("x", None) == {"echo": "x"}
        assert asyncio.run(main("y")) == ["y"]
        try:
            handler("fail", None)
        except KeyError as error:
            assert error.args == ("boom",)
        else:
            raise AssertionError("the exception was swallowed")
        assert handler.__name__ == "handler" and main.__name__ == "main"
        print("checked")
    """)
    assert completed.stdout == "checked\n", completed.stderr


def test_concurrent_invocations_do_not_report_each_others_work(tmp_path: Path) -> None:
    completed = run_script(tmp_path, """
        from concurrent.futures import ThreadPoolExecutor

        @guard
        def handler(event, context):
            worker = threading.Thread(target=time.sleep, args=(0.005,))
            worker.start()
            worker.join()
            return event

        with ThreadPoolExecutor(8) as pool:
            assert list(pool.map(lambda n: handler(n, None), range(400))) == list(range(400))
    """)
    assert completed.returncode == 0, completed.stderr
    assert warnings_of(completed) == []
