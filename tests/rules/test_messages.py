"""A rule's message names what the work outlives: the handler, or the coroutine a handler drives."""

from __future__ import annotations

import textwrap

from leak_lsp.analysis import analyze_source

DRIVEN = textwrap.dedent('''
    import asyncio

    LOOP = asyncio.new_event_loop()

    async def main():
        asyncio.create_task(asyncio.sleep(1))

    def lambda_handler(event, context):
        return LOOP.run_until_complete(main())
''')

DIRECT = textwrap.dedent('''
    import threading

    def lambda_handler(event, context):
        threading.Thread(target=print).start()
''')


def test_work_of_a_driven_coroutine_outlives_the_coroutine() -> None:
    [finding] = analyze_source(DRIVEN, "module.py").findings
    assert finding.code == "EL106"
    assert "still pending when the coroutine reaches its end" in finding.message


def test_work_of_a_handler_outlives_the_handler() -> None:
    [finding] = analyze_source(DIRECT, "module.py").findings
    assert "still running when the handler reaches its end" in finding.message
