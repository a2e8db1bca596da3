"""textDocument/diagnostic: the pull model, with result ids and unchanged reports."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from lsprotocol import types

from leak_lsp.server.diagnostics import SOURCE, result_id

if TYPE_CHECKING:
    from leak_lsp.server.app import LeakLanguageServer

OPTIONS = types.DiagnosticOptions(identifier=SOURCE, inter_file_dependencies=True, workspace_diagnostics=True)


async def document_diagnostic(ls: LeakLanguageServer, params: types.DocumentDiagnosticParams) -> types.DocumentDiagnosticReport:
    session = ls.require_session()
    document = session.documents.get(params.text_document.uri)
    if document is None or not document.in_sync:
        return types.RelatedFullDocumentDiagnosticReport(items=[])
    if session.current_analysis(document) is None:
        await asyncio.sleep(session.quiet_period(document.uri))  # a client pulls per keystroke and cancels the superseded pull
    analysis = await session.analysis(document)
    items = session.diagnostics(analysis)
    identifier = result_id(items, ls.protocol._converter.unstructure)
    if params.previous_result_id == identifier:
        return types.RelatedUnchangedDocumentDiagnosticReport(result_id=identifier)
    return types.RelatedFullDocumentDiagnosticReport(items=items, result_id=identifier)


def register(server: LeakLanguageServer) -> None:
    server.feature(types.TEXT_DOCUMENT_DIAGNOSTIC, OPTIONS)(document_diagnostic)
