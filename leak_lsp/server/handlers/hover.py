"""textDocument/hover: for each finding under the cursor, the chain from the handler to
the line that schedules the work (when a helper schedules it), then the rule's page."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from lsprotocol import types

from leak_lsp.analysis.model import Finding, Position, Related, RelatedRole
from leak_lsp.rules import rule_page
from leak_lsp.server.positions import PositionOutOfRange

if TYPE_CHECKING:
    from leak_lsp.server.analyses import Analysis
    from leak_lsp.server.app import LeakLanguageServer
    from leak_lsp.server.session import Session

_SEPARATOR = "\n\n---\n\n"


async def hover(ls: LeakLanguageServer, params: types.HoverParams) -> types.Hover | None:
    session = ls.require_session()
    document = session.documents.get(params.text_document.uri)
    if document is None or not document.in_sync:
        return None
    analysis = await session.analysis(document)
    try:
        position = session.codec.from_client(analysis.index, params.position)
    except PositionOutOfRange:
        return None
    markdown = session.features.markdown_hover
    under_cursor = [finding for finding in analysis.report.findings if finding.span.start <= position <= finding.span.end]
    if not under_cursor:
        return _entry_point_hover(session, analysis, position, markdown)
    chains = [chain for finding in under_cursor if (chain := _chain(session, analysis, finding, markdown))]
    codes = list(dict.fromkeys(finding.code for finding in under_cursor))
    kind = types.MarkupKind.Markdown if markdown else types.MarkupKind.PlainText
    return types.Hover(
        contents=types.MarkupContent(kind=kind, value=_SEPARATOR.join([*chains, *(rule_page(code) for code in codes)])),
        range=session.codec.range_to_client(analysis.index, under_cursor[0].span),
    )


def _entry_point_hover(session: Session, analysis: Analysis, position: Position, markdown: bool) -> types.Hover | None:
    """On an entry point's name: why it is one, and which project it was found in."""
    from leak_lsp.server.handlers.code_lens import lens_title

    handler = next((handler for handler in analysis.report.handlers if handler.span.start <= position <= handler.span.end), None)
    if handler is None:
        return None
    name = f"`{handler.name}`" if markdown else handler.name
    lines = [f"{name}: {lens_title(analysis.report, handler)}", f"Project: {session.project_of(analysis.uri) or 'none (not a file on disk)'}"]
    kind = types.MarkupKind.Markdown if markdown else types.MarkupKind.PlainText
    return types.Hover(contents=types.MarkupContent(kind=kind, value="\n\n".join(lines)),
                       range=session.codec.range_to_client(analysis.index, handler.span))


def _chain(session: Session, analysis: Analysis, finding: Finding, markdown: bool) -> str | None:
    """handler -> call in the handler -> each helper's line, down to the one that schedules the work."""
    steps = [item for item in finding.related if item.role is RelatedRole.HELPER_STEP]
    if not steps:
        return None
    handler = f"`{finding.handler}`" if finding.handler else "the handler"
    if (steps[0].path, steps[0].span) != (analysis.path, finding.span):  # unless the front-end names the call itself
        steps.insert(0, Related(analysis.path, finding.span, f"{handler} calls the helper here", RelatedRole.HELPER_STEP))
    lines = [f"{finding.code}: the work is scheduled in a helper of {handler}"]
    lines += [f"{number}. {_link(session, analysis, item, markdown)} {item.message}" for number, item in enumerate(steps, 1)]
    return "\n".join(lines)


def _link(session: Session, analysis: Analysis, item: Related, markdown: bool) -> str:
    """``file.py:12``, as a link that opens the line when the client shows Markdown."""
    line = item.span.start.line + 1
    label = f"{_shown_path(analysis.path, item.path)}:{line}"
    located = session.locate(item.path) if item.path != analysis.path else (analysis.uri, analysis.index)
    if not markdown or located is None:
        return label
    return f"[{label}]({located[0]}#L{line})"


def _shown_path(analysed: str, path: str) -> str:
    """The path relative to the analysed file's folder, as short as it can be told."""
    if path == analysed:
        return os.path.basename(path)
    try:
        return os.path.relpath(path, os.path.dirname(analysed)).replace(os.sep, "/")
    except ValueError:  # another drive
        return path


def register(server: LeakLanguageServer) -> None:
    server.feature(types.TEXT_DOCUMENT_HOVER)(hover)
