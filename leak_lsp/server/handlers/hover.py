"""textDocument/hover: the rule page of each finding under the cursor."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from leak_lsp.rules import rule_page
from leak_lsp.server.positions import PositionOutOfRange

if TYPE_CHECKING:
    from leak_lsp.server.app import LeakLanguageServer


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
    under_cursor = [finding for finding in analysis.report.findings if finding.span.start <= position <= finding.span.end]
    if not under_cursor:
        return None
    codes = list(dict.fromkeys(finding.code for finding in under_cursor))
    kind = types.MarkupKind.Markdown if session.features.markdown_hover else types.MarkupKind.PlainText
    return types.Hover(
        contents=types.MarkupContent(kind=kind, value="\n\n---\n\n".join(rule_page(code) for code in codes)),
        range=session.codec.range_to_client(analysis.index, under_cursor[0].span),
    )


def register(server: LeakLanguageServer) -> None:
    server.feature(types.TEXT_DOCUMENT_HOVER)(hover)
