"""Every fix offered on the fixture corpus, applied: it parses, removes its finding, and nothing else."""

from __future__ import annotations

import ast
import difflib
import textwrap
from pathlib import Path

import pytest

from leak_lsp.analysis import analyze_source
from leak_lsp.analysis.model import Applicability, Finding, Fix
from leak_lsp.analysis.text import apply_edits

CORPUS = Path(__file__).parent.parent / "fixtures" / "analysis"


def _offered_fixes() -> list[tuple[Path, int, int]]:
    cases = []
    for path in sorted(CORPUS.rglob("*.py")):
        report = analyze_source(path.read_text(encoding="utf-8"), str(path))
        for index, finding in enumerate(report.findings):
            for number, fix in enumerate(finding.fixes):
                if fix.applicability is not Applicability.DISPLAY:
                    cases.append((path, index, number))
    return cases


CASES = _offered_fixes()


def _identity(finding: Finding) -> tuple[str, str]:
    """What names a finding independently of where the fix moved its line."""
    return finding.code, finding.message.split(" on line")[0].split(" when the")[0]


def test_the_corpus_offers_fixes_for_most_rules() -> None:
    codes = set()
    for path, index, _ in CASES:
        codes.add(analyze_source(path.read_text(encoding="utf-8"), str(path)).findings[index].code)
    assert {"EL101", "EL102", "EL103", "EL104", "EL105", "EL106", "EL201", "EL202"} <= codes


@pytest.mark.parametrize(("path", "index", "number"), CASES,
                         ids=[f"{p.relative_to(CORPUS)}:{i}:{n}" for p, i, n in CASES])
def test_fix_settles_its_finding_and_changes_nothing_else(path: Path, index: int, number: int) -> None:
    source = path.read_text(encoding="utf-8")
    before = analyze_source(source, str(path))
    finding = before.findings[index]
    fix: Fix = finding.fixes[number]

    fixed = apply_edits(source, fix.edits)

    ast.parse(fixed)
    after = analyze_source(fixed, str(path))
    remaining = [_identity(f) for f in after.findings]
    expected = [_identity(f) for f in before.findings]
    expected.remove(_identity(finding))
    assert sorted(remaining) == sorted(expected), "\n".join(difflib.unified_diff(
        source.splitlines(), fixed.splitlines(), lineterm=""))
    edited = {line for edit in fix.edits for line in range(edit.span.start.line, edit.span.end.line + 1)}
    kept = [line for number, line in enumerate(source.splitlines()) if number not in edited]
    fixed_lines = fixed.splitlines()
    assert [line for line in kept if line not in fixed_lines] == []


# ------------------------------------------------------------------ fixes know what the handle is

def _fixes(source: str) -> list[Fix]:
    report = analyze_source(textwrap.dedent(source).lstrip("\n"), "handler.py")
    return [fix for finding in report.findings for fix in finding.fixes if fix.applicability is not Applicability.DISPLAY]


def _reported_without_a_fix(source: str) -> bool:
    report = analyze_source(textwrap.dedent(source).lstrip("\n"), "handler.py")
    return bool(report.findings) and _fixes(source) == []


def _inserted(source: str) -> list[str]:
    """The text each offered fix inserts, its edits joined."""
    return ["".join(edit.new_text for edit in fix.edits) for fix in _fixes(source)]


def test_a_list_of_futures_is_waited_for_element_by_element() -> None:
    inserted = _inserted("""
        from concurrent.futures import ThreadPoolExecutor
        POOL = ThreadPoolExecutor(2)

        def lambda_handler(event, context):
            futures = [POOL.submit(abs, n) for n in event]
            return "ok"
    """)
    assert inserted and all("for future in futures:" in text and "future.result()" in text for text in inserted)
    assert not any("futures.result()" in text for text in inserted)


def test_a_dict_of_futures_is_waited_for_value_by_value() -> None:
    inserted = _inserted("""
        from concurrent.futures import ThreadPoolExecutor
        POOL = ThreadPoolExecutor(2)

        def lambda_handler(event, context):
            futures = {n: POOL.submit(abs, n) for n in event}
            return "ok"
    """)
    assert inserted and all("for future in futures.values():" in text for text in inserted)


@pytest.mark.parametrize("statement", ["POOL.map(abs, event)", "results = POOL.map(abs, event)"])
def test_an_executor_map_iterator_is_consumed_not_result_ed(statement: str) -> None:
    inserted = _inserted(f"""
        from concurrent.futures import ThreadPoolExecutor
        POOL = ThreadPoolExecutor(2)

        def lambda_handler(event, context):
            {statement}
            return "ok"
    """)
    assert inserted and all("list(results)" in text and ".result()" not in text for text in inserted)


@pytest.mark.parametrize("method", ["apply_async", "map_async", "starmap_async"])
def test_an_async_result_of_a_pool_is_got(method: str) -> None:
    inserted = _inserted(f"""
        from multiprocessing.pool import ThreadPool
        POOL = ThreadPool(2)

        def lambda_handler(event, context):
            pending = POOL.{method}(abs, [event])
            return "ok"
    """)
    assert inserted and all("pending.get()" in text and ".result()" not in text for text in inserted)


def test_a_low_level_thread_becomes_a_joined_threading_thread() -> None:
    [before, finally_block] = _inserted("""
        import _thread

        def lambda_handler(event, context):
            _thread.start_new_thread(print, (event,))
            return "ok"
    """)
    for text in (before, finally_block):
        assert "thread = threading.Thread(target=print, args=(event,))" in text
        assert "thread.start()" in text and "thread.join()" in text and "import threading" in text


def test_a_low_level_thread_whose_id_is_kept_gets_no_fix() -> None:
    assert _reported_without_a_fix("""
        import _thread

        def lambda_handler(event, context):
            ident = _thread.start_new_thread(print, (event,))
            return ident
    """)


def test_a_blocking_portal_is_used_in_a_with_block_as_an_unsafe_fix() -> None:
    [fix] = _fixes("""
        from anyio.from_thread import start_blocking_portal

        def lambda_handler(event, context):
            portal = start_blocking_portal()
            return portal.call(abs, -1)
    """)
    assert fix.applicability is Applicability.UNSAFE
    assert "with start_blocking_portal() as portal:" in fix.edits[0].new_text
    assert "stop()" not in fix.edits[0].new_text


def test_a_forkpty_pair_is_waited_for_by_its_pid() -> None:
    inserted = _inserted("""
        import os

        def lambda_handler(event, context):
            child = os.forkpty()
            return "ok"
    """)
    assert inserted and all("os.waitpid(child[0], 0)" in text for text in inserted)


def test_a_future_from_another_threads_loop_is_wrapped_before_it_is_awaited() -> None:
    inserted = _inserted("""
        import asyncio

        LOOP = asyncio.new_event_loop()

        async def handle(other_loop):
            future = asyncio.run_coroutine_threadsafe(asyncio.sleep(1), other_loop)
            return "ok"

        def lambda_handler(event, context):
            return LOOP.run_until_complete(handle(event["loop"]))
    """)
    assert inserted and all("await asyncio.wrap_future(future)" in text for text in inserted)


def test_work_bound_through_tuple_unpacking_gets_no_fix() -> None:
    assert _reported_without_a_fix("""
        from concurrent.futures import ThreadPoolExecutor
        POOL = ThreadPoolExecutor(2)

        def lambda_handler(event, context):
            first, second = POOL.submit(abs, 1), POOL.submit(abs, 2)
            return "ok"
    """)


def test_futures_appended_to_a_list_in_a_loop_are_waited_for_from_that_list() -> None:
    inserted = _inserted("""
        from concurrent.futures import ThreadPoolExecutor
        POOL = ThreadPoolExecutor(2)

        def lambda_handler(event, context):
            pending = []
            for n in event:
                pending.append(POOL.submit(abs, n))
            return "ok"
    """)
    assert inserted and all("for future in pending:" in text and "future.result()" in text for text in inserted)


def test_a_list_that_may_be_unbound_at_the_exit_gets_no_fix() -> None:
    assert _reported_without_a_fix("""
        from concurrent.futures import ThreadPoolExecutor
        POOL = ThreadPoolExecutor(2)

        def lambda_handler(event, context):
            if event:
                pending = []
                for n in event:
                    pending.append(POOL.submit(abs, n))
            return "ok"
    """)


@pytest.mark.parametrize("method", ["add_callback", "spawn_callback"])
def test_a_tornado_callback_with_no_handle_gets_no_fix(method: str) -> None:
    assert _reported_without_a_fix(f"""
        from tornado.ioloop import IOLoop

        def lambda_handler(event, context):
            loop = IOLoop.current()
            timeout = loop.{method}(print, event)
            return "ok"
    """)


def test_a_tornado_timeout_is_removed_through_its_handle() -> None:
    inserted = _inserted("""
        from tornado.ioloop import IOLoop

        def lambda_handler(event, context):
            loop = IOLoop.current()
            timeout = loop.call_later(5, print, event)
            return "ok"
    """)
    assert inserted and all("loop.remove_timeout(timeout)" in text for text in inserted)


# ------------------------------------------------------------------ EL902: a `try`/`finally` around the calls that can raise

def _exception_fixes(source: str) -> list[Fix]:
    report = analyze_source(textwrap.dedent(source).lstrip("\n"), "handler.py")
    assert [finding.code for finding in report.findings] == ["EL902"]
    return [fix for fix in report.findings[0].fixes if fix.applicability is not Applicability.DISPLAY]


def _fixed(source: str, fix: Fix) -> str:
    return apply_edits(textwrap.dedent(source).lstrip("\n"), fix.edits)


JOINED_AFTER_A_REQUEST = """
    import threading
    import requests

    def lambda_handler(event, context):
        worker = threading.Thread(target=print)
        worker.start()
        response = requests.get(event["url"])
        worker.join()
        return response.status_code
"""


def test_a_settle_after_a_call_that_can_raise_moves_into_a_finally() -> None:
    [fix] = _exception_fixes(JOINED_AFTER_A_REQUEST)
    assert fix.applicability is Applicability.SAFE and fix.preferred
    assert "    worker.start()\n    try:\n        response = requests.get(event[\"url\"])\n    finally:\n" \
           "        worker.join()\n    return response.status_code\n" in _fixed(JOINED_AFTER_A_REQUEST, fix)


def test_a_settle_that_can_raise_itself_makes_the_fix_unsafe() -> None:
    [fix] = _exception_fixes("""
        from selenium import webdriver

        def lambda_handler(event, context):
            driver = webdriver.Chrome()
            driver.get(event["url"])
            title = driver.title
            driver.quit()
            return {"title": title}
    """)
    assert fix.applicability is Applicability.UNSAFE  # ``quit()`` raising in the finally would replace the exception


def test_a_settle_inside_a_larger_statement_stays_and_the_finally_settles_too() -> None:
    source = """
        import json
        from concurrent.futures import ThreadPoolExecutor
        POOL = ThreadPoolExecutor(2)

        def lambda_handler(event, context):
            future = POOL.submit(abs, -1)
            body = json.loads(event["body"])
            return {"value": future.result(), "body": body}
    """
    [fix] = _exception_fixes(source)
    assert fix.applicability is Applicability.UNSAFE  # ``result()`` re-raises the work's own exception
    assert "    try:\n        body = json.loads(event[\"body\"])\n        return {\"value\": future.result(), " \
           "\"body\": body}\n    finally:\n        future.result()\n" in _fixed(source, fix)


def test_a_bounded_settle_gets_no_fix() -> None:
    assert _exception_fixes("""
        import threading

        def lambda_handler(event, context):
            worker = threading.Thread(target=print)
            worker.start()
            worker.join(timeout=2)
            return "ok"
    """) == []


def test_work_started_in_a_with_block_and_settled_after_it_gets_no_fix() -> None:
    assert _exception_fixes("""
        import threading
        import requests

        def lambda_handler(event, context):
            with requests.Session() as session:
                worker = threading.Thread(target=print)
                worker.start()
                response = session.get(event["url"])
            worker.join()
            return response.status_code
    """) == []


def test_work_started_before_a_loop_and_settled_in_it_gets_no_fix() -> None:
    assert _exception_fixes("""
        import threading
        import requests

        def lambda_handler(event, context):
            worker = threading.Thread(target=print)
            worker.start()
            while True:
                requests.get(event["url"])
                worker.join()
                break
            return "ok"
    """) == []


def test_a_break_of_the_statements_own_loop_stays_inside_the_try() -> None:
    source = """
        import threading
        import requests

        def lambda_handler(event, context):
            worker = threading.Thread(target=print)
            worker.start()
            for url in event["urls"]:
                if not url:
                    break
                requests.get(url)
            worker.join()
            return "ok"
    """
    [fix] = _exception_fixes(source)
    assert "            if not url:\n                break\n" in _fixed(source, fix)


def test_an_awaited_task_moves_into_the_finally_as_an_unsafe_fix() -> None:
    source = """
        import asyncio

        async def fetch(event):
            return int(event["size"])

        async def handler(event, context):
            task = asyncio.create_task(asyncio.sleep(1))
            size = await fetch(event)
            await task
            return size
    """
    [fix] = _exception_fixes(source)
    assert fix.applicability is Applicability.UNSAFE  # awaiting re-raises the task's own exception
    assert "    try:\n        size = await fetch(event)\n    finally:\n        await task\n    return size\n" \
           in _fixed(source, fix)


def test_a_settle_in_a_branch_makes_the_added_finally_settle_unsafe() -> None:
    source = """
        import threading
        import requests

        def lambda_handler(event, context):
            worker = threading.Thread(target=print)
            worker.start()
            response = requests.get(event["url"])
            if worker.is_alive():
                worker.join()
            return response.status_code
    """
    [fix] = _exception_fixes(source)
    assert fix.applicability is Applicability.UNSAFE
    assert "        if worker.is_alive():\n            worker.join()\n    finally:\n        worker.join()\n" \
           in _fixed(source, fix)


def test_a_settle_inside_a_lambda_is_not_where_the_work_is_settled() -> None:
    source = """
        import threading
        import requests

        def lambda_handler(event, context):
            worker = threading.Thread(target=print)
            worker.start()
            later = lambda: worker.join()
            response = requests.get(event["url"])
            worker.join()
            return response.status_code, later
    """
    [fix] = _exception_fixes(source)
    assert "        response = requests.get(event[\"url\"])\n    finally:\n        worker.join()\n" in _fixed(source, fix)


def test_a_buffer_filled_since_import_is_flushed_in_a_finally_from_the_first_statement_on() -> None:
    source = '''
        from opentelemetry import trace
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
        from orders import exporter, process

        provider = TracerProvider()
        provider.add_span_processor(BatchSpanProcessor(exporter()))

        def lambda_handler(event, context):
            """Orders, traced."""
            result = process(event)
            trace.get_tracer_provider().force_flush()
            return result
    '''
    [fix] = _exception_fixes(source)
    assert fix.applicability is Applicability.UNSAFE  # an exporter's flush may raise
    assert '"""Orders, traced."""\n    try:\n        result = process(event)\n    finally:\n' \
           "        trace.get_tracer_provider().force_flush()\n    return result\n" in _fixed(source, fix)
