"""One analysis run per document at a time: edits that arrive while a run is going
queue only the latest text, and a long run of one document leaves the others free.

Runs the scheduler in-process with a real thread pool; each job records the text it
was given and, for the "large" document, waits until the test lets it finish.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from leak_lsp.analysis.model import FileReport
from leak_lsp.server import analyses as analyses_module
from leak_lsp.server.analyses import Analyses, WorkerOutput
from leak_lsp.server.documents import Document


class Jobs:
    def __init__(self) -> None:
        self.ran: list[str] = []
        self.release = threading.Event()
        self.started = threading.Event()

    def blocking(self, text: str) -> WorkerOutput:
        self.ran.append(text)
        self.started.set()
        self.release.wait(30)
        return WorkerOutput(FileReport("large.py"))

    def quick(self, text: str) -> WorkerOutput:
        self.ran.append(text)
        return WorkerOutput(FileReport("small.py"))


async def wait_for_thread_event(event: threading.Event) -> None:
    await asyncio.get_running_loop().run_in_executor(None, event.wait, 30)


async def test_edits_during_a_run_queue_only_the_latest_text() -> None:
    jobs = Jobs()
    with ThreadPoolExecutor(max_workers=4) as pool:
        analyses = Analyses(pool)
        document = Document("file:///large.py", "v1", 1)
        first = asyncio.ensure_future(analyses.of(document, "large.py", 0, jobs.blocking))
        await wait_for_thread_event(jobs.started)
        superseded = []
        for version in (2, 3, 4):
            document.replace_text(f"v{version}")
            superseded.append(asyncio.ensure_future(analyses.of(document, "large.py", 0, jobs.blocking)))
            await asyncio.sleep(0)
        jobs.release.set()
        await asyncio.wait_for(asyncio.gather(first, *superseded), 30)
    assert jobs.ran == ["v1", "v4"]
    assert [analysis.text for analysis in await asyncio.gather(*superseded)] == ["v4", "v4", "v4"]


async def test_a_long_run_of_one_document_does_not_hold_up_another() -> None:
    jobs = Jobs()
    with ThreadPoolExecutor(max_workers=2) as pool:
        analyses = Analyses(pool)
        large = asyncio.ensure_future(analyses.of(Document("file:///large.py", "big", 1), "large.py", 0, jobs.blocking))
        await wait_for_thread_event(jobs.started)
        small = await asyncio.wait_for(analyses.of(Document("file:///small.py", "small", 1), "small.py", 0, jobs.quick), 30)
        assert not large.done()  # the small document's analysis came back while the large one still runs
        jobs.release.set()
        await asyncio.wait_for(large, 30)
    assert small.text == "small"


async def test_the_duration_of_a_documents_last_run_is_kept_until_the_document_is_forgotten() -> None:
    jobs = Jobs()
    with ThreadPoolExecutor(max_workers=2) as pool:
        analyses = Analyses(pool)
        document = Document("file:///small.py", "small", 1)
        assert analyses.last_duration(document.uri) is None  # never analysed: the full quiet period applies
        await asyncio.wait_for(analyses.of(document, "small.py", 0, jobs.quick), 30)
        duration = analyses.last_duration(document.uri)
        analyses.forget(document.uri)
    assert duration is not None and duration >= 0
    assert analyses.last_duration(document.uri) is None


def test_only_a_change_that_follows_another_within_the_quiet_period_waits_for_it(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [100.0]
    monkeypatch.setattr(analyses_module.time, "monotonic", lambda: clock[0])
    with ThreadPoolExecutor(max_workers=1) as pool:
        analyses = Analyses(pool)
        uri = "file:///edited.py"
        analyses.changed(uri)
        first = analyses.quiet_period(uri, 0.08)  # the first keystroke: nothing to skip
        clock[0] += 0.01
        analyses.changed(uri)
        burst = analyses.quiet_period(uri, 0.08)  # 10 ms after the one before: more may come
        clock[0] += 5
        analyses.changed(uri)
        paused = analyses.quiet_period(uri, 0.08)
        clock[0] += 0.01
        analyses.changed(uri)
        analyses.forget(uri)
        forgotten = analyses.quiet_period(uri, 0.08)
    assert (first, burst, paused, forgotten) == (0.0, 0.08, 0.0, 0.0)
