"""workspace/diagnostic: the handler files of the workspace folders, with work-done progress.

Files are found as ``leak-lsp check`` finds them (gitignore, ``exclude``); open
documents are reported from their editor text and version, other files from disk.
Only files that define a handler or have a finding are listed (and any file the client
holds a previous result for, so that a fixed file's old diagnostics go away).

An idle editor leaves an idle server. Each file's result is cached by its disk stamp,
the settings and the changes to what it depends on (:class:`WorkspaceResults`), so an
unchanged file costs a ``stat``. VS Code asks again as soon as a pull is answered: a
pull in which nothing changed since the client's previous results is held open until
something changes (an edit, a watched file, the settings), re-checking the disk every
:data:`RECHECK_SECONDS` for clients that do not report file changes.
"""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.uris import from_fs_path

from leak_lsp.analysis.config import ConfigError, Settings
from leak_lsp.analysis.text import LineIndex
from leak_lsp.project.files import read_source
from leak_lsp.server.analyses import Analysis
from leak_lsp.server.diagnostics import result_id
from leak_lsp.server.session import DEBOUNCE_SECONDS
from leak_lsp.server.workspace_results import FileResult, Stamp

if TYPE_CHECKING:
    from leak_lsp.server.app import LeakLanguageServer
    from leak_lsp.server.session import Session

logger = logging.getLogger(__name__)

TITLE = "leak-lsp: checking the workspace"
RECHECK_SECONDS = 30.0  # how often a held pull looks at the disk when no change is reported
HELD = "leak-lsp: workspace diagnostics unchanged; holding the pull until something changes"

Report = types.WorkspaceFullDocumentDiagnosticReport | types.WorkspaceUnchangedDocumentDiagnosticReport
async def workspace_diagnostic(ls: LeakLanguageServer, params: types.WorkspaceDiagnosticParams) -> types.WorkspaceDiagnosticReport:
    session = ls.require_session()
    previous = {item.uri: item.value for item in params.previous_result_ids}
    while True:
        changes = session.changes.count
        items = await _collect(ls, session, previous, params.work_done_token)
        if not session.workspace_pull_answered or any(isinstance(item, types.WorkspaceFullDocumentDiagnosticReport) for item in items):
            session.workspace_pull_answered = True
            return types.WorkspaceDiagnosticReport(items=items)
        logger.debug("%s", HELD)
        ls.window_log_message(types.LogMessageParams(type=types.MessageType.Log, message=HELD))
        if await session.changes.after(changes, RECHECK_SECONDS):
            await asyncio.sleep(DEBOUNCE_SECONDS)  # let a burst of keystrokes settle


async def _collect(ls: LeakLanguageServer, session: Session, previous: dict[str, str], work_done_token: types.ProgressToken | None) -> list[Report]:
    """The report of every handler file (and of every file the client has a result for)."""
    loop = asyncio.get_running_loop()
    files = await loop.run_in_executor(session.executor, _stamped_files, session)
    session.workspace_results.keep_only({path for path, _ in files})
    results: dict[Path, FileResult] = {}
    stale: list[tuple[Path, Stamp | None]] = []
    for path, stamp in files:
        cached = _open_result(ls, session, path) or session.workspace_results.get(session, path, stamp)
        if cached is None:
            stale.append((path, stamp))
        else:
            results[path] = cached
    if stale:
        results.update(await _analyse_with_progress(ls, session, stale, work_done_token))
    reports = [_report(result, previous) for _, result in sorted(results.items()) if result.listed or result.uri in previous]
    return reports + _gone(ls, {result.uri for result in results.values()}, previous)


def _gone(ls: LeakLanguageServer, present: set[str], previous: dict[str, str]) -> list[Report]:
    """Empty reports for the files the client has results for that are no longer in the workspace."""
    empty = result_id([], ls.protocol._converter.unstructure)
    return [
        types.WorkspaceFullDocumentDiagnosticReport(uri=uri, version=None, items=[], result_id=empty)
        for uri, value in sorted(previous.items()) if uri not in present and value != empty
    ]


def _open_result(ls: LeakLanguageServer, session: Session, path: Path) -> FileResult | None:
    """The result of an open document whose analysis is current (nothing to compute)."""
    document = session.documents.get(from_fs_path(str(path)) or str(path))
    analysis = session.current_analysis(document) if document is not None else None
    if analysis is None:
        return None
    return session.workspace_results.of_open(analysis, lambda: _result(ls, session, analysis, None, session.projects.clock))


async def _analyse_with_progress(ls: LeakLanguageServer, session: Session, stale: list[tuple[Path, Stamp | None]],
                                 work_done_token: types.ProgressToken | None) -> dict[Path, FileResult]:
    token = await _progress_token(session, work_done_token)
    _progress(session, token, types.WorkDoneProgressBegin(title=TITLE, cancellable=False, percentage=0))
    results: dict[Path, FileResult] = {}
    try:
        for number, (path, stamp) in enumerate(stale):
            result = await _analysed(ls, session, path, stamp)
            if result is not None:
                results[path] = result
            message = f"{number + 1}/{len(stale)} files"
            _progress(session, token, types.WorkDoneProgressReport(message=message, percentage=(number + 1) * 100 // len(stale)))
    finally:
        listed = sum(result.listed for result in results.values())
        _progress(session, token, types.WorkDoneProgressEnd(message=f"{listed} handler files analysed"))
    return results


async def _analysed(ls: LeakLanguageServer, session: Session, path: Path, stamp: Stamp | None) -> FileResult | None:
    """Analyse one file: an open document through the session, else from the disk (cached)."""
    uri = from_fs_path(str(path)) or str(path)
    clock = session.projects.clock
    document = session.documents.get(uri)
    if document is not None:
        return _result(ls, session, await session.analysis(document), None, clock) if document.in_sync else None
    loop = asyncio.get_running_loop()
    text = await loop.run_in_executor(session.executor, read_source, path)
    if text is None:
        return None
    output = await loop.run_in_executor(session.executor, session.analyse_file, path, text)
    analysis = Analysis(uri, str(path), text, None, session.settings.generation, 0, LineIndex(text), output)
    result = _result(ls, session, analysis, stamp, clock)
    session.workspace_results.put(path, result)
    return result


def _result(ls: LeakLanguageServer, session: Session, analysis: Analysis, stamp: Stamp | None, clock: int) -> FileResult:
    diagnostics = session.diagnostics(analysis)
    report = analysis.report
    return FileResult(
        uri=analysis.uri, version=analysis.version, diagnostics=diagnostics,
        result_id=result_id(diagnostics, ls.protocol._converter.unstructure), listed=bool(report.handlers or report.findings),
        stamp=stamp, settings_generation=analysis.settings_generation, clock=clock, dependencies=frozenset(report.dependencies),
    )


def _stamped_files(session: Session) -> list[tuple[Path, Stamp | None]]:
    """Runs in a worker thread: settings errors are reported by the per-file analysis instead."""
    from leak_lsp.project.discovery import ExcludeOptions, FileFinder

    def settings_of(folder: Path) -> Settings:
        try:
            return session.settings.for_folder(folder)
        except ConfigError:
            return session.settings.client_only()

    roots = [str(folder) for folder in session.workspace_folders()]
    return [(path, _stamp(path)) for path in FileFinder(settings_of, ExcludeOptions()).find(roots).files]


def _stamp(path: Path) -> Stamp | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size, info.st_ino


def _report(result: FileResult, previous: dict[str, str]) -> Report:
    if previous.get(result.uri) == result.result_id:
        return types.WorkspaceUnchangedDocumentDiagnosticReport(uri=result.uri, version=result.version, result_id=result.result_id)
    return types.WorkspaceFullDocumentDiagnosticReport(uri=result.uri, version=result.version, items=result.diagnostics, result_id=result.result_id)


async def _progress_token(session: Session, given: types.ProgressToken | None) -> types.ProgressToken | None:
    """The client's token, else one we create when the client shows server-initiated progress."""
    if given is not None or not session.features.work_done_progress:
        return given
    token = f"leak-lsp-workspace-{uuid.uuid4()}"
    try:
        # Shielded: a late reply to a cancelled request would break pygls 2.1.1 (issue #621).
        await asyncio.shield(session.server.work_done_progress.create_async(token))
    except Exception:  # the client refused: go on without progress
        return None
    return token


def _progress(session: Session, token: types.ProgressToken | None, value: types.WorkDoneProgressBegin | types.WorkDoneProgressReport | types.WorkDoneProgressEnd) -> None:
    if token is None:
        return
    progress = session.server.work_done_progress
    if isinstance(value, types.WorkDoneProgressBegin):
        progress.begin(token, value)
    elif isinstance(value, types.WorkDoneProgressReport):
        progress.report(token, value)
    else:
        progress.end(token, value)


def register(server: LeakLanguageServer) -> None:
    server.feature(types.WORKSPACE_DIAGNOSTIC)(workspace_diagnostic)
