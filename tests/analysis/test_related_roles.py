"""Related locations carry a role, so that the server and the CLI pick them without reading their wording."""

from __future__ import annotations

import textwrap

from leak_lsp.analysis import analyze_source
from leak_lsp.analysis.model import Finding, RelatedRole


def only_finding(source: str) -> Finding:
    [finding] = analyze_source(textwrap.dedent(source), "module.py").findings
    return finding


def roles_by_line(finding: Finding) -> dict[int, RelatedRole]:
    """1-based line of each related location -> its role."""
    return {related.span.start.line + 1: related.role for related in finding.related}


def test_an_exit_the_work_outlives_is_an_exit() -> None:
    finding = only_finding('''
        import threading

        def lambda_handler(event, context):
            threading.Thread(target=print).start()
            return "ok"
    ''')
    assert roles_by_line(finding) == {6: RelatedRole.EXIT}


def test_the_line_a_helper_schedules_the_work_on_is_a_helper_step() -> None:
    finding = only_finding('''
        import threading

        def start_flusher():
            threading.Thread(target=print).start()

        def lambda_handler(event, context):
            start_flusher()
            return "ok"
    ''')
    assert roles_by_line(finding) == {5: RelatedRole.HELPER_STEP, 9: RelatedRole.EXIT}


def test_the_call_that_drives_a_coroutine_is_the_driver() -> None:
    finding = only_finding('''
        import asyncio

        async def main():
            asyncio.create_task(asyncio.sleep(1))

        def lambda_handler(event, context):
            return asyncio.run(main())
    ''')
    assert finding.code == "EL201"
    assert roles_by_line(finding)[8] is RelatedRole.DRIVER


def test_a_buffer_created_at_import_is_marked_so() -> None:
    finding = only_finding('''
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        PROCESSOR = BatchSpanProcessor(None)

        def lambda_handler(event, context):
            return "ok"
    ''')
    assert roles_by_line(finding)[4] is RelatedRole.CREATED_AT_IMPORT


def test_the_call_that_raises_while_work_is_pending_is_marked_so() -> None:
    finding = only_finding('''
        import threading
        import requests

        def lambda_handler(event, context):
            watchdog = threading.Timer(5.0, print)
            watchdog.start()
            requests.get(event["url"])
            watchdog.cancel()
    ''')
    assert finding.code == "EL902"
    assert roles_by_line(finding) == {8: RelatedRole.RAISES_HERE}
