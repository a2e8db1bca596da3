"""Hover on a flagged expression shows the rule's page."""

from __future__ import annotations

from lsprotocol import types
from pytest_lsp import LanguageClient

from leak_lsp.rules import rule_page

from .editor import Editor, position_at
from .test_diagnostics import LEAK_CALL, leaking_handler

URI = "file:///project/handler.py"


async def _hover(lsp: LanguageClient, editor: Editor, offset: int) -> types.Hover | None:
    position = position_at(editor.texts[URI], offset, editor.encoding)
    params = types.HoverParams(text_document=types.TextDocumentIdentifier(uri=URI), position=position)
    return await lsp.text_document_hover_async(params)


async def test_hover_on_the_flagged_call_shows_the_rule_page_as_markdown(lsp: LanguageClient, editor: Editor) -> None:
    text = leaking_handler("s = 'é😀'; ")
    editor.open(URI, text)
    [diagnostic] = await editor.diagnostics(URI)
    hover = await _hover(lsp, editor, text.index(LEAK_CALL) + len("threading.Th"))
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert (hover.contents.kind, hover.contents.value) == (types.MarkupKind.Markdown, rule_page("EL101"))
    assert hover.range == diagnostic.range


async def test_hover_away_from_any_finding_shows_nothing(lsp: LanguageClient, editor: Editor) -> None:
    editor.open(URI, leaking_handler())
    await editor.diagnostics(URI)
    assert await _hover(lsp, editor, 0) is None
