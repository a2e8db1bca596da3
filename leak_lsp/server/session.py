"""Everything the server knows about one client connection, set up at ``initialize``.

Handlers stay small by asking the session: open documents, settings per file, the
latest analysis of a document, and (for push clients) the debounced publication.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.uris import from_fs_path, to_fs_path

from leak_lsp.analysis.config import ConfigError, Settings
from leak_lsp.analysis.text import LineIndex, decode_source
from leak_lsp.server.analyses import Analyses, Analysis
from leak_lsp.server.capabilities import ClientFeatures
from leak_lsp.server.diagnostics import finding_to_diagnostic, problem_to_diagnostic
from leak_lsp.server.documents import Document, DocumentStore
from leak_lsp.server.positions import PositionCodec
from leak_lsp.server.settings import SettingsStore

if TYPE_CHECKING:
    from leak_lsp.server.app import LeakLanguageServer

logger = logging.getLogger(__name__)

DEBOUNCE_SECONDS = 0.08  # long enough to skip the keystrokes of a word, short enough not to lag
SETTINGS_WAIT_SECONDS = 2.0  # how long the first analysis waits for the client's settings


class Session:
    def __init__(self, server: LeakLanguageServer, features: ClientFeatures, codec: PositionCodec) -> None:
        self.server = server
        self.features = features
        self.codec = codec
        self.documents = DocumentStore(codec)
        self.settings = SettingsStore()
        self.settings_ready = asyncio.Event()
        self.executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="leak-lsp-analysis")
        self.analyses = Analyses(self.executor)
        self._publications: dict[str, asyncio.Task[None]] = {}
        self._reported: set[str] = set()

    # Settings -----------------------------------------------------------------

    def settings_for(self, uri: str) -> Settings:
        """The document's settings; a broken pyproject.toml is reported once and skipped."""
        try:
            return self.settings.settings_for(to_fs_path(uri))
        except ConfigError as error:
            self.report_problem(f"leak-lsp: {error}; using the defaults")
            return self.settings.client_only()

    def apply_client_settings(self, raw: object) -> None:
        try:
            self.settings.set_client_settings(raw)
        except ConfigError as error:
            self.report_problem(f"leak-lsp: ignoring the client settings: {error}")

    def report_problem(self, message: str) -> None:
        """Tell the user once about something they must fix (a malformed setting)."""
        logger.warning("%s", message)
        if message not in self._reported:
            self._reported.add(message)
            self.server.window_show_message(types.ShowMessageParams(type=types.MessageType.Warning, message=message))

    # Analysis -----------------------------------------------------------------

    async def analysis(self, document: Document) -> Analysis:
        try:
            await asyncio.wait_for(self.settings_ready.wait(), SETTINGS_WAIT_SECONDS)
        except asyncio.TimeoutError:
            logger.warning("no settings from the client after %.0f s; analysing without them", SETTINGS_WAIT_SECONDS)
            self.settings_ready.set()
        generation = self.settings.generation
        settings = self.settings_for(document.uri)
        return await self.analyses.of(document, to_fs_path(document.uri) or document.uri, settings, generation)

    def current_analysis(self, document: Document) -> Analysis | None:
        return self.analyses.current(document, self.settings.generation)

    def diagnostics(self, analysis: Analysis) -> list[types.Diagnostic]:
        def locate(path: str) -> tuple[str, LineIndex] | None:
            return (analysis.uri, analysis.index) if path == analysis.path else self._locate(path)

        report = analysis.report
        problems = [problem_to_diagnostic(problem, analysis.index, self.codec) for problem in report.problems]
        findings = [finding_to_diagnostic(finding, analysis.index, self.codec, locate) for finding in report.findings]
        return problems + findings

    def _locate(self, path: str) -> tuple[str, LineIndex] | None:
        uri = from_fs_path(path) or path
        open_document = self.documents.get(uri)
        if open_document is not None:
            return uri, open_document.index
        try:
            return uri, LineIndex(decode_source(Path(path).read_bytes()))
        except (OSError, UnicodeDecodeError, SyntaxError):
            return None

    # Push diagnostics (clients without textDocument/diagnostic) ----------------

    def schedule_publication(self, uri: str, quiet_period: float = DEBOUNCE_SECONDS) -> None:
        """Publish the document's diagnostics after a quiet period, superseding earlier runs."""
        if self.features.pull_diagnostics:
            return
        self._cancel_publication(uri)
        self._publications[uri] = asyncio.ensure_future(self._publish_after(quiet_period, uri))

    def clear_published(self, uri: str) -> None:
        self._cancel_publication(uri)
        self.analyses.forget(uri)
        if not self.features.pull_diagnostics:
            self.server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    def refresh_all(self) -> None:
        """After a settings change: publish again, or ask a pulling client to pull again."""
        if not self.features.pull_diagnostics:
            for document in self.documents:
                self.schedule_publication(document.uri)
        elif self.features.diagnostic_refresh:
            self.server.workspace_diagnostic_refresh(None)

    def warm_up(self) -> None:
        """Import the analysis engine in a worker while the client opens its first file."""
        self.executor.submit(importlib.import_module, "leak_lsp.analysis.engine")

    def stop(self) -> None:
        for uri in list(self._publications):
            self._cancel_publication(uri)
        self.executor.shutdown(wait=False, cancel_futures=True)

    def _cancel_publication(self, uri: str) -> None:
        task = self._publications.pop(uri, None)
        if task is not None:
            task.cancel()

    async def _publish_after(self, quiet_period: float, uri: str) -> None:
        await asyncio.sleep(quiet_period)
        document = self.documents.get(uri)
        if document is None or not document.in_sync:
            return
        analysis = await self.analysis(document)
        if self.documents.get(uri) is not document or not analysis.is_current(document, self.settings.generation):
            return  # the document moved on; its own run will publish
        if self._publications.get(uri) is asyncio.current_task():
            del self._publications[uri]
        params = types.PublishDiagnosticsParams(uri=uri, version=analysis.version, diagnostics=self.diagnostics(analysis))
        self.server.text_document_publish_diagnostics(params)
