"""workspace/diagnostic: the handler files of the workspace folders, with work-done progress.

Files are found as ``leak-lsp check`` finds them (gitignore, ``exclude``); open
documents are reported from their editor text and version, other files from disk.
Only files that define a handler or have a finding are listed.
"""

from __future__ import annotations

import asyncio
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

if TYPE_CHECKING:
    from leak_lsp.server.app import LeakLanguageServer
    from leak_lsp.server.session import Session

TITLE = "leak-lsp: checking the workspace"


async def workspace_diagnostic(ls: LeakLanguageServer, params: types.WorkspaceDiagnosticParams) -> types.WorkspaceDiagnosticReport:
    session = ls.require_session()
    previous = {item.uri: item.value for item in params.previous_result_ids}
    token = await _progress_token(session, params.work_done_token)
    loop = asyncio.get_running_loop()
    items: list[types.WorkspaceDocumentDiagnosticReport] = []
    _progress(session, token, types.WorkDoneProgressBegin(title=TITLE, cancellable=False, percentage=0))
    try:
        files = await loop.run_in_executor(session.executor, _workspace_files, session)
        for number, path in enumerate(files):
            analysis = await _analysis_of(session, path)
            if analysis is not None and (analysis.report.handlers or analysis.report.findings):
                items.append(_report(ls, session, analysis, previous))
            message = f"{number + 1}/{len(files)} files"
            _progress(session, token, types.WorkDoneProgressReport(message=message, percentage=(number + 1) * 100 // len(files)))
    finally:
        _progress(session, token, types.WorkDoneProgressEnd(message=f"{len(items)} handler files"))
    return types.WorkspaceDiagnosticReport(items=items)


def _workspace_files(session: Session) -> list[Path]:
    """Runs in a worker thread: settings errors are reported by the per-file analysis instead."""
    from leak_lsp.project.discovery import ExcludeOptions, FileFinder

    def settings_of(folder: Path) -> Settings:
        try:
            return session.settings.for_folder(folder)
        except ConfigError:
            return session.settings.client_only()

    roots = [str(folder) for folder in session.workspace_folders()]
    return FileFinder(settings_of, ExcludeOptions()).find(roots).files


async def _analysis_of(session: Session, path: Path) -> Analysis | None:
    uri = from_fs_path(str(path)) or str(path)
    document = session.documents.get(uri)
    if document is not None:
        return await session.analysis(document) if document.in_sync else None
    loop = asyncio.get_running_loop()
    text = await loop.run_in_executor(session.executor, read_source, path)
    if text is None:
        return None
    outcome = await loop.run_in_executor(session.executor, session.analyse_file, path, text)
    return Analysis(uri, str(path), text, None, session.settings.generation, 0, LineIndex(text), outcome)


def _report(ls: LeakLanguageServer, session: Session, analysis: Analysis, previous: dict[str, str]) -> types.WorkspaceDocumentDiagnosticReport:
    diagnostics = session.diagnostics(analysis)
    identifier = result_id(diagnostics, ls.protocol._converter.unstructure)
    if previous.get(analysis.uri) == identifier:
        return types.WorkspaceUnchangedDocumentDiagnosticReport(uri=analysis.uri, version=analysis.version, result_id=identifier)
    return types.WorkspaceFullDocumentDiagnosticReport(uri=analysis.uri, version=analysis.version, items=diagnostics, result_id=identifier)


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
