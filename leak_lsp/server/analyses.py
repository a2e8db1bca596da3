"""Runs the analysis off the event loop and keeps the latest result of each document.

Requests (diagnostics, code actions, hover, code lens) for the same text share one run;
a run whose document has changed meanwhile still completes but is never published. A
document's results also go stale when a file they depend on changes (:meth:`Analyses.stale`).
"""

from __future__ import annotations

import asyncio
import logging
import math
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from leak_lsp.analysis.config import Settings
from leak_lsp.analysis.model import FileReport, Fix, Fixer, FixRecipe, SourceProblem
from leak_lsp.analysis.text import LineIndex
from leak_lsp.server.documents import Document

if TYPE_CHECKING:
    from leak_lsp.analysis.incremental import IncrementalAnalyzer
    from leak_lsp.project.deployment import DeploymentProblem
    from leak_lsp.project.workspace import Workspace

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkerOutput:
    """What a worker computes for one text: the report, what builds its findings' settle fixes
    when a code action asks (kept by an incremental analysis), and, for a deployment file, what is
    wrong with the entry points it names."""

    report: FileReport
    deployment_problems: tuple[DeploymentProblem, ...] = ()
    fixer: Fixer | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Analysis:
    uri: str
    path: str
    text: str
    version: int | None
    settings_generation: int
    epoch: int  # bumped when a file the document depends on changes
    index: LineIndex
    output: WorkerOutput
    # The settle fixes of findings a code action asked about, by recipe: computed once per text.
    fixes: dict[FixRecipe, tuple[Fix, ...]] = field(default_factory=dict, compare=False, repr=False)

    @property
    def report(self) -> FileReport:
        return self.output.report


def analyse_text(text: str, path: str, settings: Settings, workspace: Workspace | None,
                 edited: bool = True) -> tuple[FileReport, Fixer | None]:
    """The report of one text, and what builds its settle fixes; an internal error becomes a problem,
    never an exception. The text of an ``edited`` (open) document is analysed incrementally, keeping
    what builds the fixes of its findings; a file on disk afresh, keeping nothing."""
    from leak_lsp.analysis import MAX_FILE_BYTES, analyze_source

    if len(text) > MAX_FILE_BYTES:
        return FileReport(path=path, problems=[SourceProblem(f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")], analysed=False), None
    try:
        if not edited:
            return analyze_source(text, path, settings, workspace, fixes=False), None
        analyzer = _incremental(path, settings)
        return analyzer.analyze(text, workspace), analyzer.fixer
    except Exception as error:  # a bug in the analysis must not take the editor's server down
        logger.exception("analysis of %s failed", path)
        return FileReport(path=path, problems=[SourceProblem(f"internal error in leak-lsp: {error!r}")], analysed=False), None


_ANALYZERS: dict[str, IncrementalAnalyzer] = {}  # by path, the most recently analysed last
_ANALYZERS_LOCK = threading.Lock()  # analyses run in worker threads
_KEPT_ANALYZERS = 64


def _incremental(path: str, settings: Settings) -> IncrementalAnalyzer:
    """The analyzer holding the last analysis of the file: an edit re-analyses only what it touched.

    Without fixes: findings carry recipes, and the analyzer keeps what builds the fixes a code action
    shows (an entry whose findings hold built fixes could not be reused by the next edit)."""
    from leak_lsp.analysis.incremental import IncrementalAnalyzer

    with _ANALYZERS_LOCK:
        analyzer = _ANALYZERS.pop(path, None)
        if analyzer is None or analyzer.settings != settings:
            analyzer = IncrementalAnalyzer(path, settings, fixes=False)
        _ANALYZERS[path] = analyzer
        while len(_ANALYZERS) > _KEPT_ANALYZERS:
            del _ANALYZERS[next(iter(_ANALYZERS))]
        return analyzer


def forget_analyzer(path: str) -> None:
    """The document was closed: its syntax trees and entry outcomes are released."""
    with _ANALYZERS_LOCK:
        _ANALYZERS.pop(path, None)


# Computes the output of a text; runs in a worker thread.
Job = Callable[[str], WorkerOutput]


class Analyses:
    def __init__(self, executor: Executor) -> None:
        self._executor = executor
        self._latest: dict[str, Analysis] = {}
        self._running: dict[str, tuple[Analysis, asyncio.Future[WorkerOutput]]] = {}
        self._epochs: dict[str, int] = {}
        self._durations: dict[str, float] = {}  # seconds the last run of each document took
        self._changes: dict[str, tuple[float, float]] = {}  # the times of each document's last two changes

    def last_duration(self, uri: str) -> float | None:
        return self._durations.get(uri)

    def changed(self, uri: str) -> None:
        """The document's text changed now (an edit, not its opening)."""
        now = time.monotonic()
        last = self._changes.get(uri)
        self._changes[uri] = (last[1] if last is not None else -math.inf, now)

    def quiet_period(self, uri: str, longest: float) -> float:
        """How long to wait for more keystrokes before analysing the document's latest change: none when the
        change before it came longer ago than the wait (one keystroke after a pause: the wait would only be
        lag, and no run of that document is left to queue behind), else ``longest``, and no longer than the
        document's last run (skipping keystrokes saves little on a document analysed faster)."""
        last = self._durations.get(uri)
        wait = longest if last is None else min(longest, last)
        changes = self._changes.get(uri)
        return 0.0 if changes is None or changes[1] - changes[0] > wait else wait

    def is_current(self, analysis: Analysis, document: Document, settings_generation: int) -> bool:
        return (
            analysis.text is document.text
            and analysis.settings_generation == settings_generation
            and analysis.epoch == self._epochs.get(document.uri, 0)
        )

    def current(self, document: Document, settings_generation: int) -> Analysis | None:
        """The latest analysis if it is still good, carrying the document's version (a change
        that leaves the text as it was, a no-op didChange, moves the version on)."""
        latest = self._latest.get(document.uri)
        if latest is None or not self.is_current(latest, document, settings_generation):
            return None
        if latest.version != document.version:
            latest = self._latest[document.uri] = replace(latest, version=document.version)
        return latest

    async def of(self, document: Document, path: str, settings_generation: int, job: Job) -> Analysis:
        """The analysis of the document's text as it is now, computed in a worker thread.

        One run per document at a time: a run superseded by an edit cannot be interrupted,
        but no run is queued behind it except the latest text's, so a burst of edits to
        one large document costs at most two runs and leaves the other workers free.
        The result is remembered only while the document still has that text and nothing
        it depends on has changed.
        """
        while True:
            cached = self.current(document, settings_generation)
            if cached is not None:
                return cached
            running = self._running.get(document.uri)
            if running is not None and not self.is_current(running[0], document, settings_generation):
                await asyncio.wait([running[1]])  # superseded: wait for it to end, never for its result
                if self._running.get(document.uri) is running:
                    del self._running[document.uri]
                continue
            if running is None:
                running = self._start(document, path, settings_generation, job)
            return await self._finish(document, settings_generation, running)

    def _start(self, document: Document, path: str, settings_generation: int, job: Job) -> tuple[Analysis, asyncio.Future[WorkerOutput]]:
        # The output is filled in when the worker is done; the rest is fixed now.
        epoch = self._epochs.get(document.uri, 0)
        pending = Analysis(document.uri, path, document.text, document.version, settings_generation, epoch, document.index, WorkerOutput(FileReport(path)))
        future = asyncio.get_running_loop().run_in_executor(self._executor, self._timed, document.uri, job, document.text)
        running = self._running[document.uri] = (pending, future)
        return running

    async def _finish(self, document: Document, settings_generation: int, running: tuple[Analysis, asyncio.Future[WorkerOutput]]) -> Analysis:
        pending, future = running
        output = await asyncio.shield(future)
        if self._running.get(document.uri) is running:
            del self._running[document.uri]
        analysis = replace(pending, output=output)
        if self.is_current(analysis, document, settings_generation):
            self._latest[document.uri] = analysis
        return analysis

    def _timed(self, uri: str, job: Job, text: str) -> WorkerOutput:
        """Runs in a worker thread."""
        started = time.perf_counter()
        try:
            return job(text)
        finally:
            self._durations[uri] = time.perf_counter() - started

    def stale(self, uri: str) -> None:
        """A file the document depends on changed: its results must be computed again."""
        self._epochs[uri] = self._epochs.get(uri, 0) + 1
        self._latest.pop(uri, None)

    def forget(self, uri: str) -> None:
        self._latest.pop(uri, None)
        self._running.pop(uri, None)
        self._epochs.pop(uri, None)
        self._durations.pop(uri, None)
        self._changes.pop(uri, None)
