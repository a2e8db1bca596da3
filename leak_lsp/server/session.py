"""Everything the server knows about one client connection, set up at ``initialize``.

Handlers stay small by asking the session: open documents, settings per file, the
projects (workspaces) the documents belong to, the latest analysis of a document, and
(for push clients) the debounced publication.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.uris import from_fs_path, to_fs_path

from leak_lsp.analysis.config import ConfigError, Settings
from leak_lsp.analysis.model import FileReport, Fix, FixRecipe
from leak_lsp.analysis.text import LineIndex
from leak_lsp.project.files import read_source, resolved
from leak_lsp.server.analyses import Analyses, Analysis, WorkerOutput, analyse_text, forget_analyzer
from leak_lsp.server.capabilities import ClientFeatures
from leak_lsp.server.diagnostics import deployment_problem_to_diagnostic, finding_to_diagnostic, problem_to_diagnostic
from leak_lsp.server.documents import Document, DocumentStore
from leak_lsp.server.positions import PositionCodec
from leak_lsp.server.projects import Projects, deployment_problems
from leak_lsp.server.settings import SettingsStore
from leak_lsp.server.workspace_results import WorkspaceResults

if TYPE_CHECKING:
    from leak_lsp.analysis.fix_all import FixedSource
    from leak_lsp.project.workspace import Workspace
    from leak_lsp.server.app import LeakLanguageServer

logger = logging.getLogger(__name__)

# After an edit that follows another within the wait, the analysis waits for this long a quiet period:
# long enough to skip the keystrokes of a word, short enough not to lag; a document analysed faster than
# that waits no longer than its analysis takes (skipping keystrokes saves little there, and the wait would
# be the lag); the first keystroke after a pause is analysed at once (Analyses.quiet_period).
DEBOUNCE_SECONDS = 0.08
SETTINGS_WAIT_SECONDS = 2.0  # how long the first analysis waits for the client's settings
MAX_RUNS = 3  # analyses of one request while the files it depends on keep changing
# One run per document at a time (analyses.py), so a few more workers than cores let small
# documents, the workspace scan and the file walks go on beside a large document.
WORKERS = (os.cpu_count() or 1) + 2
# Imported when the client says it is initialized (never before the ``initialize`` reply: the
# reply must not wait for them, tests/server/test_lean_start.py), in the order they are first needed: the
# deployment formats when the first document opens, then its workspace, then the engine.
WARM_UP = ("leak_lsp.project.deployment", "leak_lsp.project.workspace", "leak_lsp.analysis.engine")


class ChangeSignal:
    """Counts the changes that can alter diagnostics; a held workspace pull waits for the next one."""

    def __init__(self) -> None:
        self.count = 0
        self._event = asyncio.Event()

    def bump(self) -> None:
        self.count += 1
        self._event.set()
        self._event = asyncio.Event()

    async def after(self, count: int, timeout: float) -> bool:
        """Wait until a change after ``count`` (at most ``timeout`` seconds); whether one came."""
        if self.count != count:
            return True
        try:
            await asyncio.wait_for(self._event.wait(), timeout)
        except asyncio.TimeoutError:
            return False
        return True


class Session:
    def __init__(self, server: LeakLanguageServer, features: ClientFeatures, codec: PositionCodec) -> None:
        self.server = server
        self.features = features
        self.codec = codec
        self.documents = DocumentStore(codec)
        self.settings = SettingsStore()
        self.settings_ready = asyncio.Event()
        self.executor = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="leak-lsp-analysis")
        self.analyses = Analyses(self.executor)
        self.projects = Projects(self.workspace_folders, self.read_text, self._workspace_settings)
        self._deployment_files: set[str] = set()  # uris of open deployment files
        self._publications: dict[str, asyncio.Task[None]] = {}
        self._refresh: asyncio.Task[None] | None = None
        self._reported: set[str] = set()
        self.changes = ChangeSignal()
        self.workspace_results = WorkspaceResults()
        self.workspace_pull_answered = False  # the first workspace pull is answered at once, whatever it holds
        self._entry_points_changed_at = 0  # the projects' clock when a deployment file last changed

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

    def _workspace_settings(self, root: Path) -> Settings:
        try:
            return self.settings.for_folder(root)
        except ConfigError:  # reported by the analysis of each file
            return self.settings.client_only()

    # Projects -------------------------------------------------------------------

    def workspace_folders(self) -> list[Path]:
        """The client's workspace folders (its root when it names no folder), resolved."""
        workspace = self.server.workspace
        folders = [path for folder in list(workspace.folders.values()) if (path := to_fs_path(folder.uri))]
        if not folders and workspace.root_path:
            folders = [workspace.root_path]
        return [resolved(folder) for folder in folders]

    def project_of(self, uri: str) -> str | None:
        """Which project a document belongs to, for the user: "/srv/orders (pyproject.toml)"."""
        path = to_fs_path(uri)
        if path is None:
            return None
        from leak_lsp.project.files import root_marker

        root, _ = self.projects.root_of(resolved(path))
        marker = root_marker(root)
        return f"{root} ({marker})" if marker else f"{root} (the workspace folder; no project marker above the file)"

    def read_text(self, path: Path) -> str | None:
        """A file as the editor has it: an open document's text (unsaved edits count), else the disk.

        Called by the analysis in worker threads.
        """
        uri = from_fs_path(str(path))
        document = self.documents.get(uri) if uri else None
        if document is not None:
            return document.text
        return read_source(path)

    def opened(self, document: Document) -> None:
        path = to_fs_path(document.uri)
        if path is not None:
            self.projects.document_opened(document.uri, path)
        if path is not None and self._names_entry_points(path):
            self._deployment_files.add(document.uri)
        self.schedule_publication(document.uri, quiet_period=0)  # no one is typing yet

    def closed(self, uri: str) -> None:
        path = to_fs_path(uri)
        document = self.documents.get(uri)
        if document is not None:
            forget_analyzer(path or document.unsaved_name)
        if path is not None:
            self.projects.document_closed(uri, path)
        self.workspace_results.forget_open(uri)
        self.documents.close(uri)
        self._deployment_files.discard(uri)
        self.projects.forget(uri)
        self.clear_published(uri)

    def file_changed(self, path: str, edited_uri: str | None = None, saved: bool = True) -> None:
        """A file changed in the editor (``edited_uri``) or on disk: forget what the
        workspaces built on it and analyse again the open documents that depend on it.
        An edit that is not ``saved`` leaves the disk as it was: whether the document names entry
        points is what its last saved change found (a 5,000-line file is not read again per keystroke)."""
        self.projects.file_changed(path)
        self.changes.bump()
        affected = self.projects.dependents(path) | self._deployment_files
        if not saved and edited_uri is not None:
            names_entry_points = edited_uri in self._deployment_files
        else:
            names_entry_points = self._names_entry_points(path)
            if edited_uri is not None and edited_uri in self.documents:
                (self._deployment_files.add if names_entry_points else self._deployment_files.discard)(edited_uri)
        if names_entry_points:
            self._entry_points_changed_at = self.projects.clock
            affected |= {document.uri for document in self.documents}
        affected.discard(edited_uri)  # its own change schedules it
        for uri in affected:
            self.analyses.stale(uri)
        self._republish(affected)

    def entry_points_changed_since(self, clock: int) -> bool:
        """Whether a deployment file changed since then (any file may have gained or lost a handler)."""
        return self._entry_points_changed_at > clock

    @staticmethod
    def _names_entry_points(path: str) -> bool:
        from leak_lsp.project.deployment import is_deployment_file

        return is_deployment_file(Path(path))

    # Analysis -----------------------------------------------------------------

    async def analysis(self, document: Document) -> Analysis:
        """The document's analysis; run again when a file it depends on changed meanwhile."""
        try:
            await asyncio.wait_for(self.settings_ready.wait(), SETTINGS_WAIT_SECONDS)
        except asyncio.TimeoutError:
            logger.warning("no settings from the client after %.0f s; analysing without them", SETTINGS_WAIT_SECONDS)
            self.settings_ready.set()
        generation = self.settings.generation
        path = to_fs_path(document.uri)
        name = path or document.unsaved_name
        job = partial(self._analyse, name, path is not None, self.settings_for(document.uri), document.is_python)
        for _ in range(MAX_RUNS):
            clock = self.projects.clock
            analysis = await self.analyses.of(document, name, generation, job)
            if not self.projects.changed_since(clock, analysis.report.dependencies):
                break
            self.analyses.stale(document.uri)
        self.projects.record(document.uri, analysis.report)
        return analysis

    def current_analysis(self, document: Document) -> Analysis | None:
        return self.analyses.current(document, self.settings.generation)

    def analyse_file(self, path: Path, text: str) -> WorkerOutput:
        """The output of a file that is not open (workspace diagnostics); in a worker thread."""
        uri = from_fs_path(str(path)) or str(path)
        return self._analyse(str(path), True, self.settings_for(uri), True, text, edited=False)

    def _analyse(self, path: str, on_disk: bool, settings: Settings, python: bool, text: str, edited: bool = True) -> WorkerOutput:
        """Runs in a worker thread: the workspace's queued changes are applied first."""
        workspace = self._workspace_of(path) if on_disk else None
        report, fixer = analyse_text(text, path, settings, workspace, edited) if python else (FileReport(path), None)
        problems = deployment_problems(workspace, path) if workspace is not None else []
        return WorkerOutput(report, tuple(problems), fixer)

    def _workspace_of(self, path: str) -> Workspace | None:
        try:
            return self.projects.workspace_for(path)
        except OSError as error:  # an unreadable folder above the file: analyse it alone
            logger.warning("no workspace for %s: %s", path, error)
            return None

    def fix_all(self, analysis: Analysis, settings: Settings) -> FixedSource:
        """Every safe fix, round after round, each round analysed with the document's workspace.

        In a worker thread. The published analysis holds no settle fixes (only recipes): the first
        round's are built from what it kept, or, when it kept nothing for some finding, from an analysis
        of the text with them, as every later round is."""
        from leak_lsp.analysis import analyze_source
        from leak_lsp.analysis.fix_all import fix_source

        workspace = self._analysis_workspace(analysis)
        report = _with_kept_fixes(analysis) or analyze_source(analysis.text, analysis.path, settings, workspace)
        return fix_source(analysis.text, report, settings, False, workspace)

    def fixes_for(self, analysis: Analysis, recipe: FixRecipe, settings: Settings) -> tuple[Fix, ...]:
        """The fixes of one finding of the analysis, from its recipe; in a worker thread. Built from what
        the analysis kept when it kept something for the recipe (only the finding's edits), else by
        analysing its entry again."""
        from leak_lsp.analysis import fixes_for

        fixer = analysis.output.fixer
        kept = fixer(recipe) if fixer is not None else None
        if kept is not None:
            return kept
        return fixes_for(analysis.text, recipe, settings, analysis.path, self._analysis_workspace(analysis))

    def _analysis_workspace(self, analysis: Analysis) -> Workspace | None:
        return self._workspace_of(analysis.path) if to_fs_path(analysis.uri) is not None else None

    def diagnostics(self, analysis: Analysis) -> list[types.Diagnostic]:
        def locate(path: str) -> tuple[str, LineIndex] | None:
            return (analysis.uri, analysis.index) if path == analysis.path else self.locate(path)

        report = analysis.report
        index = analysis.index
        problems = [problem_to_diagnostic(problem, index, self.codec) for problem in report.problems]
        deployment = [deployment_problem_to_diagnostic(problem, index, self.codec) for problem in analysis.output.deployment_problems]
        findings = [finding_to_diagnostic(finding, index, self.codec, locate) for finding in report.findings]
        return problems + deployment + findings

    def locate(self, path: str) -> tuple[str, LineIndex] | None:
        """The URI and line index of a file named by the analysis: the open document, else the disk."""
        uri = from_fs_path(path) or path
        open_document = self.documents.get(uri)
        if open_document is not None:
            return uri, open_document.index
        text = read_source(Path(path))
        return None if text is None else (uri, LineIndex(text))

    # Push diagnostics (clients without textDocument/diagnostic) ----------------

    def quiet_period(self, uri: str) -> float:
        """How long to wait for more keystrokes before analysing the document (see DEBOUNCE_SECONDS)."""
        return self.analyses.quiet_period(uri, DEBOUNCE_SECONDS)

    def schedule_publication(self, uri: str, quiet_period: float | None = None) -> None:
        """Publish the document's diagnostics after a quiet period, superseding earlier runs."""
        if self.features.pull_diagnostics:
            return
        self._cancel_publication(uri)
        wait = self.quiet_period(uri) if quiet_period is None else quiet_period
        self._publications[uri] = asyncio.ensure_future(self._publish_after(wait, uri))

    def clear_published(self, uri: str) -> None:
        self._cancel_publication(uri)
        self.analyses.forget(uri)
        if not self.features.pull_diagnostics:
            self.server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    def refresh_all(self) -> None:
        """After a settings change: the workspaces are made again with the new settings,
        and every open document is published again (or pulled again)."""
        self.projects.reset()
        self.changes.bump()
        self._republish({document.uri for document in self.documents})

    def warm_up(self) -> None:
        """Import what the first analysis needs in a worker while the client sends its first
        messages (see WARM_UP); whoever needs a module first waits for its import to finish."""
        self.executor.submit(_import_all, WARM_UP)

    def stop(self) -> None:
        for uri in list(self._publications):
            self._cancel_publication(uri)
        if self._refresh is not None:
            self._refresh.cancel()
        self.executor.shutdown(wait=False, cancel_futures=True)

    def _republish(self, uris: Iterable[str]) -> None:
        """Push the documents' diagnostics again, or ask the client to pull (and to ask
        for code lenses) again, after a quiet period."""
        uris = [uri for uri in uris if uri in self.documents]
        if not uris:
            return
        for uri in uris:
            self.schedule_publication(uri)
        if self._refresh is not None:
            self._refresh.cancel()
        self._refresh = asyncio.ensure_future(self._ask_to_refresh())

    async def _ask_to_refresh(self) -> None:
        await asyncio.sleep(DEBOUNCE_SECONDS)
        # Requests whose answers are not awaited: nothing can be cancelled while waiting (pygls #621).
        if self.features.pull_diagnostics and self.features.diagnostic_refresh:
            self.server.workspace_diagnostic_refresh(None)
        if self.features.code_lens_refresh:
            self.server.workspace_code_lens_refresh(None)

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
        if self.documents.get(uri) is not document or not self.analyses.is_current(analysis, document, self.settings.generation):
            return  # the document moved on; its own run will publish
        if self._publications.get(uri) is asyncio.current_task():
            del self._publications[uri]
        params = types.PublishDiagnosticsParams(uri=uri, version=analysis.version, diagnostics=self.diagnostics(analysis))
        self.server.text_document_publish_diagnostics(params)


def _import_all(names: Iterable[str]) -> None:
    for name in names:
        importlib.import_module(name)


def _with_kept_fixes(analysis: Analysis) -> FileReport | None:
    """The analysis' report with every finding's settle fixes built from what the analysis kept, or
    None when it kept nothing for some finding."""
    fixer = analysis.output.fixer
    if fixer is None:
        return None
    findings = []
    for finding in analysis.report.findings:
        fixes = fixer(finding.recipe) if finding.recipe is not None else finding.fixes
        if fixes is None:
            return None
        findings.append(replace(finding, fixes=fixes))
    return replace(analysis.report, findings=findings)
