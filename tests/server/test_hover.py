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


JS_URI = "file:///project/app.js"
JS_HELPER = """\
function startPoller() {
  setInterval(() => {}, 1000);
}
exports.handler = async (event) => {
  startPoller();
  return 1;
};
"""


async def test_hover_chain_of_a_javascript_helper_names_the_call_once(lsp: LanguageClient, editor: Editor) -> None:
    editor.open(JS_URI, JS_HELPER, language_id="javascript")
    await editor.diagnostics(JS_URI)
    position = position_at(JS_HELPER, JS_HELPER.index("startPoller();") + 2, editor.encoding)
    hover = await lsp.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=JS_URI), position=position))
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    steps = hover.contents.value.split("\n\n---\n\n")[0].splitlines()[1:]
    assert [step.split(" ", 1)[0] for step in steps] == ["1.", "2."]
    assert "app.js:5" in steps[0] and steps[0].endswith("`startPoller()` is called here")
    assert "app.js:2" in steps[1] and steps[1].endswith("`startPoller()` starts it here")
