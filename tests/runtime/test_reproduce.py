"""What ``leak-lsp reproduce`` observes when it runs real handlers in an emulated warm container."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.runtime.conftest import Run, run_reproduce

# Work that outlives invocation 1 runs after it: in the moment before the freeze when the machine
# is slow to freeze it, else at the thaw. Both are the leak; the tests accept either.
AFTER_INVOCATION_1 = {"idle after invocation 1", "invocation 2"}


def test_timer_from_the_first_invocation_fires_in_the_second(reproduce: Callable[..., Run], tmp_path: Path) -> None:
    run = reproduce("""
        import threading

        def flush():
            print("flushed")

        def lambda_handler(event, context):
            threading.Timer(0.2, flush).start()
            return "ok"
    """)
    [leak] = run.events("leak")
    assert leak["kind"] == "timer"
    assert leak["scheduled_at"] == f"{tmp_path / 'handler.py'}:7"
    assert leak["scheduled_in"] == "invocation 1" and leak["ran_in"] in AFTER_INVOCATION_1
    assert run.report["verdict"] == "leak"
    assert run.exit_code == 1


def test_alarm_that_is_never_disarmed_interrupts_the_next_invocation(reproduce: Callable[..., Run]) -> None:
    run = reproduce("""
        import signal

        def on_alarm(signum, frame):
            print("alarm handled")

        def lambda_handler(event, context):
            signal.signal(signal.SIGALRM, on_alarm)
            signal.setitimer(signal.ITIMER_REAL, 0.2)
            return "ok"
    """)
    [leak] = run.events("leak")
    assert (leak["kind"], leak["scheduled_in"]) == ("alarm", "invocation 1") and leak["ran_in"] in AFTER_INVOCATION_1
    assert leak["scheduled_at"].endswith("handler.py:8")


def test_alarm_handler_that_raises_crashes_the_runtime_and_still_counts_as_a_leak(reproduce: Callable[..., Run]) -> None:
    run = reproduce("""
        import signal

        def on_alarm(signum, frame):
            raise TimeoutError("too slow")

        def lambda_handler(event, context):
            signal.signal(signal.SIGALRM, on_alarm)
            signal.alarm(1)
            return "ok"
    """, "--idle", "1.1")
    [leak] = run.events("leak")
    assert leak["ran_in"] in AFTER_INVOCATION_1
    assert "TimeoutError: too slow" in run.report["error"]
    assert run.exit_code == 1


def test_alarm_left_with_its_default_action_kills_the_runtime_in_the_next_invocation(
        reproduce: Callable[..., Run]) -> None:
    run = reproduce("""
        import signal

        def lambda_handler(event, context):
            signal.setitimer(signal.ITIMER_REAL, 0.2)
            return "ok"
    """)
    [leak] = run.events("leak")
    assert "SIGALRM killed the runtime" in leak["ran"]
    assert any(f"killed by SIGALRM during {phase}" in run.report["error"] for phase in AFTER_INVOCATION_1)


DAEMON_THREAD_HANDLER = """
    import threading, time

    def audit():
        time.sleep(0.2)

    def lambda_handler(event, context):
        threading.Thread(target=audit, daemon=True).start()
        return "ok"
"""


def test_thread_that_outlives_its_invocation_finishes_in_the_next(reproduce: Callable[..., Run]) -> None:
    run = reproduce(DAEMON_THREAD_HANDLER)
    leaks = [event for event in run.events("leak") if event["scheduled_in"] == "invocation 1"]
    assert leaks and all(event["kind"] == "thread" for event in leaks)
    assert {event["ran_in"] for event in leaks} <= AFTER_INVOCATION_1


def test_work_still_pending_after_the_last_invocation_is_lost(reproduce: Callable[..., Run]) -> None:
    run = reproduce("""
        import threading

        def lambda_handler(event, context):
            threading.Thread(target=threading.Event().wait, daemon=True).start()  # never ends
            return "ok"
    """, "--invocations", "1")
    [lost] = run.events("lost")
    assert (lost["kind"], lost["scheduled_in"]) == ("thread", "invocation 1")
    assert run.report["verdict"] == "lost"
    assert run.exit_code == 1


def test_work_of_an_earlier_invocation_that_never_ran_again_before_shutdown_is_a_leak(
        reproduce: Callable[..., Run]) -> None:
    run = reproduce("""
        import threading

        def lambda_handler(event, context):
            threading.Thread(target=threading.Event().wait, daemon=True).start()
            return "ok"
    """)
    first = {event["outcome"] for event in run.report["events"] if event["scheduled_in"] == "invocation 1"}
    assert first == {"leak"}  # it ran again in invocation 2, or was still frozen mid-flight at the end
    assert [event["scheduled_in"] for event in run.events("lost")] == ["invocation 2"]
    assert run.report["verdict"] == "leak"


def test_child_process_is_frozen_with_the_tree_and_resumes_in_the_next_invocation(
        reproduce: Callable[..., Run]) -> None:
    run = reproduce("""
        import subprocess

        def lambda_handler(event, context):
            subprocess.Popen(["sleep", "30"])  # alive at every freeze, however slow the machine
            return "ok"
    """)
    [leak] = run.events("leak")
    assert (leak["kind"], leak["scheduled_in"], leak["ran_in"]) == ("process", "invocation 1", "invocation 2")


def test_task_on_a_reused_loop_runs_in_the_next_invocation(reproduce: Callable[..., Run]) -> None:
    run = reproduce("""
        import asyncio

        LOOP = asyncio.new_event_loop()

        async def audit():
            await asyncio.sleep(0.2)

        async def main():
            asyncio.create_task(audit())

        def lambda_handler(event, context):
            LOOP.run_until_complete(main())
    """)
    [leak] = run.events("leak")
    assert (leak["kind"], leak["scheduled_in"], leak["ran_in"]) == ("task", "invocation 1", "invocation 2")
    assert leak["scheduled_at"].endswith("handler.py:9")


def test_async_entry_point_runs_on_one_long_lived_loop(reproduce: Callable[..., Run]) -> None:
    run = reproduce("""
        import asyncio

        async def main(req):
            asyncio.get_running_loop().call_later(0.2, print, "late")
            return "ok"
    """, handler="main")
    [leak] = run.events("leak")
    assert (leak["kind"], leak["scheduled_in"], leak["ran_in"]) == ("callback", "invocation 1", "invocation 2")


def test_task_cancelled_by_asyncio_run_is_lost(reproduce: Callable[..., Run]) -> None:
    run = reproduce("""
        import asyncio

        async def deliver():
            await asyncio.sleep(0.2)

        async def main():
            asyncio.create_task(deliver())

        def lambda_handler(event, context):
            asyncio.run(main())
    """)
    lost = run.events("lost")
    assert [event["scheduled_in"] for event in lost] == ["invocation 1", "invocation 2"]
    assert all("asyncio.run" in event["reason"] for event in lost)
    assert run.report["verdict"] == "lost"


def test_coroutine_never_awaited_is_lost_at_the_line_that_created_it(reproduce: Callable[..., Run]) -> None:
    run = reproduce("""
        async def send():
            pass

        def lambda_handler(event, context):
            send()
    """, "--invocations", "1")
    [lost] = run.events("lost")
    assert lost["kind"] == "coroutine"
    assert lost["scheduled_at"].endswith("handler.py:5")


def test_settled_work_of_every_kind_is_clean(reproduce: Callable[..., Run]) -> None:
    run = reproduce("""
        import asyncio, signal, subprocess, threading
        from concurrent.futures import ThreadPoolExecutor

        EXECUTOR = ThreadPoolExecutor(2)

        async def step():
            await asyncio.sleep(0.01)

        async def main():
            await asyncio.create_task(step())

        def lambda_handler(event, context):
            thread = threading.Thread(target=print, args=("joined",))
            thread.start()
            thread.join()
            timer = threading.Timer(5, print)
            timer.start()
            timer.cancel()
            signal.alarm(5)
            signal.alarm(0)
            list(EXECUTOR.map(abs, [1, -2]))
            EXECUTOR.submit(abs, -3).result()
            subprocess.run(["true"])
            asyncio.run(main())
            return "ok"
    """)
    assert (run.report["verdict"], run.report["events"], run.exit_code) == ("clean", [], 0)


def test_handler_exception_is_reported_and_the_next_invocation_still_runs(reproduce: Callable[..., Run]) -> None:
    run = reproduce("""
        CALLS = []

        def lambda_handler(event, context):
            CALLS.append(context.aws_request_id)
            if len(CALLS) == 1:
                raise ValueError("first call fails")
            return "ok"
    """)
    first, second = run.report["invocations"]
    assert "ValueError: first call fails" in first["error"]
    assert second["error"] is None


def test_handler_gets_the_event_and_a_lambda_context(reproduce: Callable[..., Run], tmp_path: Path) -> None:
    (tmp_path / "event.json").write_text('{"name": "sample"}')
    run = reproduce("""
        def lambda_handler(event, context):
            assert event == {"name": "sample"}, event
            assert context.function_name == "handler"
            assert 0 < context.get_remaining_time_in_millis() <= 30000
            assert context.invoked_function_arn.endswith(":function:handler")
    """, "--event", "@event.json", "--invocations", "1")
    assert run.report["invocations"][0]["error"] is None


def test_missing_handler_is_an_error_verdict_without_a_traceback(reproduce: Callable[..., Run]) -> None:
    run = reproduce("""
        def other(event, context):
            return "ok"
    """, handler="missing")
    assert (run.exit_code, run.report["verdict"]) == (2, "error")
    assert "defines no `missing` (it defines other)" in run.report["error"]
    assert "Traceback" not in run.stderr + run.report["error"]


def test_file_without_a_default_handler_name_asks_for_one(tmp_path: Path) -> None:
    (tmp_path / "handler.py").write_text("def other(event, context):\n    return 'ok'\n")
    completed = run_reproduce("handler.py", cwd=tmp_path)
    assert completed.returncode == 2
    assert "defines none of lambda_handler, handler, main; name the handler: handler.py:NAME" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_handler_missing_from_a_class_is_found_missing_at_import_without_a_traceback(
        reproduce: Callable[..., Run]) -> None:
    run = reproduce("""
        class App:
            pass
    """, handler="App.handle")
    assert (run.exit_code, run.report["verdict"]) == (2, "error")
    assert "App has no attribute `handle`" in run.report["error"]
    assert "Traceback" not in run.report["error"]


def test_module_that_cannot_be_imported_is_an_error_verdict_in_json(reproduce: Callable[..., Run]) -> None:
    run = reproduce("""
        import module_that_does_not_exist

        def lambda_handler(event, context):
            return "ok"
    """)
    assert (run.exit_code, run.report["verdict"]) == (2, "error")
    assert "ModuleNotFoundError" in run.report["error"]


def test_an_invocation_that_raised_makes_the_verdict_error(reproduce: Callable[..., Run]) -> None:
    run = reproduce("""
        def lambda_handler(event, context):
            return {}.missing
    """)
    assert (run.report["verdict"], run.exit_code) == ("error", 1)
    assert all("AttributeError" in invocation["error"] for invocation in run.report["invocations"])


def test_text_mode_shows_the_handlers_traceback_from_its_own_frame(tmp_path: Path) -> None:
    (tmp_path / "handler.py").write_text("def lambda_handler(event, context):\n    raise ValueError('boom')\n")
    completed = run_reproduce("handler.py", "--invocations", "1", cwd=tmp_path)
    assert completed.returncode == 1
    assert "  Traceback (most recent call last):" in completed.stdout
    assert f'File "{tmp_path / "handler.py"}", line 2, in lambda_handler' in completed.stdout
    assert "leak_lsp" not in completed.stdout.split("Traceback", 1)[1]
    assert completed.stdout.rstrip().endswith("verdict: error")


def test_a_timeout_is_a_timeout_verdict(reproduce: Callable[..., Run]) -> None:
    run = reproduce("""
        import threading

        def lambda_handler(event, context):
            threading.Event().wait()
    """, "--timeout", "1", "--invocations", "1")
    assert (run.report["verdict"], run.exit_code) == ("timeout", 2)
    assert "timed out after 1 s" in run.report["error"]


def test_the_handlers_return_value_is_reported(reproduce: Callable[..., Run]) -> None:
    run = reproduce("""
        def lambda_handler(event, context):
            return {"statusCode": 200, "body": event["name"]}
    """, "--event", '{"name": "x"}')
    assert [invocation["value"] for invocation in run.report["invocations"]] == ["{'statusCode': 200, 'body': 'x'}"] * 2


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    completed = run_reproduce("absent.py", cwd=tmp_path)
    assert completed.returncode == 2
    assert "no such file" in completed.stderr


def test_text_report_names_the_leak_and_shows_the_output_in_the_invocation_it_happened(tmp_path: Path) -> None:
    (tmp_path / "handler.py").write_text(
        "import threading\n\ndef lambda_handler(event, context):\n"
        "    threading.Timer(0.2, print, args=('late line',)).start()\n")
    completed = run_reproduce("handler.py", "--idle", "0.5", cwd=tmp_path)
    assert "LEAK  Timer(0.2, print)" in completed.stdout
    assert completed.stdout.rstrip().endswith("verdict: leak")
    log = completed.stderr
    assert log.index("END invocation 1") < log.index("late line") < log.index("END invocation 2")
