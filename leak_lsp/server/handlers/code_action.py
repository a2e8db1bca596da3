"""textDocument/codeAction: each finding's quick fixes, and ``source.fixAll.leak-lsp``.

Edits are versioned when the client supports ``documentChanges``, so that a client
holding a stale action rejects it instead of corrupting the file.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.exceptions import JsonRpcContentModified, JsonRpcInvalidParams

from leak_lsp.analysis.fix_all import select_fixes
from leak_lsp.analysis.model import Applicability, Finding, Fix, Span, TextEdit
from leak_lsp.server.analyses import Analysis
from leak_lsp.server.diagnostics import finding_to_diagnostic, offered_fixes
from leak_lsp.server.positions import PositionOutOfRange

if TYPE_CHECKING:
    from leak_lsp.server.app import LeakLanguageServer
    from leak_lsp.server.session import Session

FIX_ALL_KIND = "source.fixAll.leak-lsp"
FIX_ALL_TITLE = "leak-lsp: apply all safe fixes"
OPTIONS = types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL_KIND], resolve_provider=True)


async def code_action(ls: LeakLanguageServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    session = ls.require_session()
    document = session.documents.get(params.text_document.uri)
    if document is None or not document.in_sync:
        return []
    analysis = await session.analysis(document)
    try:
        requested = session.codec.span_from_client(analysis.index, params.range)
    except PositionOutOfRange as error:
        raise JsonRpcInvalidParams(str(error)) from None
    only = params.context.only
    actions: list[types.CodeAction] = []
    if _wanted(types.CodeActionKind.QuickFix, only):
        for finding in analysis.report.findings:
            if _overlaps(finding.span, requested):
                actions.extend(_quick_fixes(session, analysis, finding))
    if _wanted(FIX_ALL_KIND, only) and select_fixes(analysis.report.findings, unsafe=False):
        actions.append(_lazy_fix_all(analysis) if session.features.resolves_code_action_edits else await _fix_all(session, analysis))
    return actions


def _lazy_fix_all(analysis: Analysis) -> types.CodeAction:
    """Fix-all without its edit: computed by codeAction/resolve only if the user picks it."""
    return types.CodeAction(title=FIX_ALL_TITLE, kind=FIX_ALL_KIND, data={"uri": analysis.uri, "version": analysis.version})


async def resolve_code_action(ls: LeakLanguageServer, action: types.CodeAction) -> types.CodeAction:
    """Fill in fix-all's edit, for the version it was offered for (else ContentModified)."""
    session = ls.require_session()
    data = action.data if isinstance(action.data, dict) else {}
    document = session.documents.get(str(data.get("uri")))
    if action.kind != FIX_ALL_KIND or action.edit is not None:
        return action
    if document is None or not document.in_sync or document.version != data.get("version"):
        raise JsonRpcContentModified("the document changed since the action was offered")
    return await _fix_all(session, await session.analysis(document))


def _quick_fixes(session: Session, analysis: Analysis, finding: Finding) -> list[types.CodeAction]:
    diagnostic = finding_to_diagnostic(finding, analysis.index, session.codec, lambda path: None)
    return [
        types.CodeAction(
            title=fix.title,
            kind=types.CodeActionKind.QuickFix,
            diagnostics=[diagnostic],
            is_preferred=_is_preferred(fix),
            edit=workspace_edit(session, analysis, fix.edits),
        )
        for fix in offered_fixes(finding)
    ]


async def _fix_all(session: Session, analysis: Analysis) -> types.CodeAction:
    """Every safe fix, round after round as ``check --fix`` does, as one edit of the changed part."""
    settings = session.settings_for(analysis.uri)
    loop = asyncio.get_running_loop()
    fixed = await loop.run_in_executor(session.executor, session.fix_all, analysis, settings)
    edit = _changed_part(analysis, fixed.text)
    return types.CodeAction(title=FIX_ALL_TITLE, kind=FIX_ALL_KIND, edit=workspace_edit(session, analysis, [edit]))


def _changed_part(analysis: Analysis, new_text: str) -> TextEdit:
    """One edit replacing only what differs between the analysed text and ``new_text``."""
    old_text = analysis.text
    prefix = len(os.path.commonprefix([old_text, new_text]))
    limit = min(len(old_text), len(new_text)) - prefix
    suffix = len(os.path.commonprefix([old_text[::-1], new_text[::-1]])[:limit])
    start, end = analysis.index.position(prefix), analysis.index.position(len(old_text) - suffix)
    return TextEdit(Span(start, end), new_text[prefix : len(new_text) - suffix])


def _is_preferred(fix: Fix) -> bool:
    return fix.preferred and fix.applicability is Applicability.SAFE


def workspace_edit(session: Session, analysis: Analysis, edits: Iterable[TextEdit]) -> types.WorkspaceEdit:
    """The edits in client units, tied to the version they were computed for when possible."""
    client_edits: Sequence[types.TextEdit] = [
        types.TextEdit(range=session.codec.range_to_client(analysis.index, edit.span), new_text=edit.new_text)
        for edit in edits
    ]
    if session.features.document_changes:
        document = types.OptionalVersionedTextDocumentIdentifier(uri=analysis.uri, version=analysis.version)
        return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(text_document=document, edits=list(client_edits))])
    return types.WorkspaceEdit(changes={analysis.uri: list(client_edits)})


def _wanted(kind: str, only: Sequence[str] | None) -> bool:
    """LSP kinds are hierarchical: asking for ``source`` includes ``source.fixAll.leak-lsp``."""
    return only is None or any(kind == wanted or kind.startswith(f"{wanted}.") for wanted in only)


def _overlaps(span: Span, requested: Span) -> bool:
    return span.start <= requested.end and requested.start <= span.end


def register(server: LeakLanguageServer) -> None:
    server.feature(types.TEXT_DOCUMENT_CODE_ACTION, OPTIONS)(code_action)
    server.feature(types.CODE_ACTION_RESOLVE)(resolve_code_action)
