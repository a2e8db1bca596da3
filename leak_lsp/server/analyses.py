"""Runs the analysis off the event loop and keeps the latest result of each document.

Requests (diagnostics, code actions, hover) for the same text share one run; a run
whose document has changed meanwhile still completes but is never published.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import Executor
from dataclasses import dataclass, replace

from leak_lsp.analysis.config import Settings
from leak_lsp.analysis.model import FileReport, SourceProblem
from leak_lsp.analysis.text import LineIndex
from leak_lsp.server.documents import Document

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Analysis:
    uri: str
    path: str
    text: str
    version: int | None
    settings_generation: int
    index: LineIndex
    report: FileReport

    def is_current(self, document: Document, settings_generation: int) -> bool:
        return self.text is document.text and self.settings_generation == settings_generation


def analyse_text(text: str, path: str, settings: Settings) -> FileReport:
    """The report of one text; an internal error becomes a problem, never an exception."""
    from leak_lsp.analysis import MAX_FILE_BYTES, analyze_source

    if len(text) > MAX_FILE_BYTES:
        return FileReport(path=path, problems=[SourceProblem(f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")], analysed=False)
    try:
        return analyze_source(text, path, settings)
    except Exception as error:  # a bug in the analysis must not take the editor's server down
        logger.exception("analysis of %s failed", path)
        return FileReport(path=path, problems=[SourceProblem(f"internal error in leak-lsp: {error!r}")], analysed=False)


class Analyses:
    def __init__(self, executor: Executor) -> None:
        self._executor = executor
        self._latest: dict[str, Analysis] = {}
        self._running: dict[str, tuple[Analysis, asyncio.Future[FileReport]]] = {}

    def current(self, document: Document, settings_generation: int) -> Analysis | None:
        latest = self._latest.get(document.uri)
        return latest if latest is not None and latest.is_current(document, settings_generation) else None

    async def of(self, document: Document, path: str, settings: Settings, settings_generation: int) -> Analysis:
        """The analysis of the document's text as it is now, computed in a worker thread.

        The result is remembered only while the document still has that text.
        """
        cached = self.current(document, settings_generation)
        if cached is not None:
            return cached
        running = self._running.get(document.uri)
        if running is None or not running[0].is_current(document, settings_generation):
            # The report is filled in when the worker is done; the rest is fixed now.
            pending = Analysis(document.uri, path, document.text, document.version, settings_generation, document.index, FileReport(path))
            future = asyncio.get_running_loop().run_in_executor(self._executor, analyse_text, document.text, path, settings)
            running = self._running[document.uri] = (pending, future)
        pending, future = running
        report = await asyncio.shield(future)
        if self._running.get(document.uri) is running:
            del self._running[document.uri]
        analysis = replace(pending, report=report)
        if analysis.is_current(document, settings_generation):
            self._latest[document.uri] = analysis
        return analysis

    def forget(self, uri: str) -> None:
        self._latest.pop(uri, None)
        self._running.pop(uri, None)
