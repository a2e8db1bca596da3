"""textDocument/codeAction: each finding's quick fixes, and ``source.fixAll.leak-lsp``.

Settle fixes are computed only here, for the findings under the cursor: each finding's recipe
travels in its diagnostic's data, and the analysis of the text kept what builds that one
finding's fixes (no analysis again). A client that resolves edits gets the titles now and the
edit on ``codeAction/resolve``; fix-all too is resolved only when picked.

Edits are versioned when the client supports ``documentChanges``, so that a client
holding a stale action rejects it instead of corrupting the file.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.exceptions import JsonRpcContentModified, JsonRpcInvalidParams

from leak_lsp.analysis.fix_all import select_fixes
from leak_lsp.analysis.model import Applicability, Finding, Fix, FixRecipe, Span, TextEdit
from leak_lsp.server.analyses import Analysis
from leak_lsp.server.diagnostics import finding_to_diagnostic, offered_fixes, recipe_data, recipe_from_data
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
                actions.extend(await _quick_fixes(session, analysis, finding))
    if _wanted(FIX_ALL_KIND, only) and _may_fix(analysis.report.findings):
        if session.features.resolves_code_action_edits:
            actions.append(_lazy_fix_all(analysis))
        elif (fix_all := await _fix_all(session, analysis)) is not None:
            actions.append(fix_all)
    return actions


def _may_fix(findings: Sequence[Finding]) -> bool:
    """Whether fix-all may change something: a safe fix computed with a finding, or settle
    fixes still to compute (fix-all then resolves to the fixes there are, maybe none)."""
    return any(finding.recipe is not None for finding in findings) or bool(select_fixes(findings, unsafe=False))


def _lazy_fix_all(analysis: Analysis) -> types.CodeAction:
    """Fix-all without its edit: computed by codeAction/resolve only if the user picks it."""
    return types.CodeAction(title=FIX_ALL_TITLE, kind=FIX_ALL_KIND, data={"uri": analysis.uri, "version": analysis.version})


async def resolve_code_action(ls: LeakLanguageServer, action: types.CodeAction) -> types.CodeAction:
    """Fill in the edit of fix-all or of a quick fix, for the version it was offered for (else ContentModified)."""
    session = ls.require_session()
    data = action.data if isinstance(action.data, dict) else {}
    if action.edit is not None or action.kind not in (FIX_ALL_KIND, types.CodeActionKind.QuickFix):
        return action
    document = session.documents.get(str(data.get("uri")))
    if document is None or not document.in_sync or document.version != data.get("version"):
        raise JsonRpcContentModified("the document changed since the action was offered")
    analysis = await session.analysis(document)
    if action.kind == FIX_ALL_KIND:  # nothing to fix after all: an action that changes nothing
        return await _fix_all(session, analysis) or types.CodeAction(title=FIX_ALL_TITLE, kind=FIX_ALL_KIND, edit=workspace_edit(session, analysis, []))
    fix = await _offered_fix(session, analysis, recipe_from_data(data.get("recipe")), data.get("title"))
    if fix is None:
        raise JsonRpcContentModified("the finding this fix was offered for is gone")
    action.edit = workspace_edit(session, analysis, fix.edits)
    action.data = None
    return action


async def _offered_fix(session: Session, analysis: Analysis, recipe: FixRecipe | None, title: object) -> Fix | None:
    """The fix a lazy quick fix stands for: its finding's fix with that title, if the finding is still there."""
    finding = next((finding for finding in analysis.report.findings if recipe is not None and finding.recipe == recipe), None)
    if finding is None:
        return None
    return next((fix for fix in offered_fixes(await _fixes(session, analysis, finding)) if fix.title == title), None)


async def _fixes(session: Session, analysis: Analysis, finding: Finding) -> tuple[Fix, ...]:
    """A finding's fixes: those computed with it, or its settle fixes from its recipe, once per text,
    off the event loop (titles need the edits: whether a fix is offered is whether its edit can be built)."""
    recipe = finding.recipe
    if recipe is None:
        return finding.fixes
    if recipe not in analysis.fixes:
        settings = session.settings_for(analysis.uri)
        loop = asyncio.get_running_loop()
        analysis.fixes[recipe] = await loop.run_in_executor(session.executor, session.fixes_for, analysis, recipe, settings)
    return analysis.fixes[recipe] or finding.fixes  # none: the noqa fix the finding carries


async def _quick_fixes(session: Session, analysis: Analysis, finding: Finding) -> list[types.CodeAction]:
    """The finding's fixes as quick fixes. A settle fix computed from the recipe leaves its edit to
    codeAction/resolve when the client resolves edits; the noqa fix came with the finding."""
    diagnostic = finding_to_diagnostic(finding, analysis.index, session.codec, lambda path: None)
    resolves = session.features.resolves_code_action_edits
    actions = []
    for fix in offered_fixes(await _fixes(session, analysis, finding)):
        lazy = resolves and fix not in finding.fixes
        actions.append(types.CodeAction(
            title=fix.title,
            kind=types.CodeActionKind.QuickFix,
            diagnostics=[diagnostic],
            is_preferred=_is_preferred(fix),
            edit=None if lazy else workspace_edit(session, analysis, fix.edits),
            data=_quick_fix_data(analysis, finding, fix) if lazy else None,
        ))
    return actions


def _quick_fix_data(analysis: Analysis, finding: Finding, fix: Fix) -> dict[str, Any]:
    assert finding.recipe is not None
    return {"uri": analysis.uri, "version": analysis.version, "recipe": recipe_data(finding.recipe), "title": fix.title}


async def _fix_all(session: Session, analysis: Analysis) -> types.CodeAction | None:
    """Every safe fix, round after round as ``check --fix`` does, as one edit of the changed part
    (None when no safe fix changes the text)."""
    settings = session.settings_for(analysis.uri)
    loop = asyncio.get_running_loop()
    fixed = await loop.run_in_executor(session.executor, session.fix_all, analysis, settings)
    if fixed.text == analysis.text:
        return None
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
