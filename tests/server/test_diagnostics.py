"""Diagnostics reach the editor at the right place, follow edits, and go away on close."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from leak_lsp.rules import rule_url

from .editor import Editor, range_of

LEAK_CALL = "threading.Thread(target=work).start()"


def leaking_handler(before_call: str = "", line_ending: str = "\n", indent: str = "    ", line_start: str = "") -> str:
    """A handler that starts a thread and returns; ``line_start`` and ``before_call``
    go before and after the indentation of the call's line."""
    lines = [
        "import threading",
        "",
        "def work():",
        f"{indent}pass",
        "",
        "def lambda_handler(event, context):",
        f"{line_start}{indent}{before_call}{LEAK_CALL}",
        f"{indent}return 1",
        "",
    ]
    return line_ending.join(lines)


def expected_range(editor: Editor, text: str) -> object:
    start = text.index(LEAK_CALL)
    return range_of(text, start, start + len(LEAK_CALL), editor.encoding)


async def test_a_thread_started_and_never_joined_is_an_el101_error_linked_to_its_rule(editor: Editor) -> None:
    uri = "file:///project/handler.py"
    editor.open(uri, leaking_handler())
    [diagnostic] = await editor.diagnostics(uri)
    assert (diagnostic.code, diagnostic.source, diagnostic.severity) == ("EL101", "leak-lsp", 1)
    assert diagnostic.code_description is not None and diagnostic.code_description.href == rule_url("EL101")


async def test_the_diagnostic_points_at_the_return_the_thread_outlives(editor: Editor) -> None:
    uri = "file:///project/handler.py"
    text = leaking_handler()
    editor.open(uri, text)
    [diagnostic] = await editor.diagnostics(uri)
    returns = text.index("return 1")
    [related] = diagnostic.related_information or []
    assert related.location.uri == uri
    assert related.location.range.start == range_of(text, returns, returns, editor.encoding).start


@pytest.mark.parametrize(
    ("line_start", "before_call"),
    [
        pytest.param("", "s = 'é😀'; ", id="accent-and-emoji"),
        pytest.param("\x0c", "", id="form-feed"),
        pytest.param("\x0c", "s = '\x0c😀'; ", id="form-feeds-and-emoji"),
    ],
)
async def test_the_range_is_right_in_the_client_units_after_non_ascii_text(encoded_editor: Editor, line_start: str, before_call: str) -> None:
    uri = "file:///project/handler.py"
    text = leaking_handler(before_call, line_start=line_start)
    encoded_editor.open(uri, text)
    [diagnostic] = await encoded_editor.diagnostics(uri)
    assert diagnostic.range == expected_range(encoded_editor, text)


@pytest.mark.parametrize("line_ending", ["\r\n", "\r"])
async def test_the_range_is_right_with_crlf_and_cr_line_endings(editor: Editor, line_ending: str) -> None:
    uri = "file:///project/handler.py"
    text = leaking_handler("s = 'é'; ", line_ending=line_ending)
    editor.open(uri, text)
    [diagnostic] = await editor.diagnostics(uri)
    assert diagnostic.range == expected_range(editor, text)


async def test_the_range_is_right_in_a_file_indented_with_tabs(encoded_editor: Editor) -> None:
    uri = "file:///project/handler.py"
    text = leaking_handler("s = 'é'; ", indent="\t")
    encoded_editor.open(uri, text)
    [diagnostic] = await encoded_editor.diagnostics(uri)
    assert diagnostic.range == expected_range(encoded_editor, text)


async def test_an_incremental_edit_after_a_form_feed_moves_the_diagnostic_with_the_text(encoded_editor: Editor) -> None:
    uri = "file:///project/handler.py"
    text = "\x0c\n" + leaking_handler(line_start="\x0c")
    encoded_editor.open(uri, text)
    await encoded_editor.diagnostics(uri)
    call = text.index(LEAK_CALL)
    encoded_editor.replace(uri, call, call, "n = 'ü😀'; ")
    [diagnostic] = await encoded_editor.diagnostics(uri)
    assert diagnostic.range == expected_range(encoded_editor, encoded_editor.texts[uri])


async def test_diagnostics_follow_an_incremental_change_that_fixes_the_leak(editor: Editor) -> None:
    uri = "file:///project/handler.py"
    text = leaking_handler()
    editor.open(uri, text)
    assert len(await editor.diagnostics(uri)) == 1
    call = text.index(LEAK_CALL)
    editor.replace(uri, call, call + len(LEAK_CALL), "worker = threading.Thread(target=work)\n    worker.start()\n    worker.join()")
    assert await editor.diagnostics(uri) == []


async def test_diagnostics_appear_after_an_incremental_change_that_adds_a_leak(editor: Editor) -> None:
    uri = "file:///project/handler.py"
    text = leaking_handler().replace(LEAK_CALL, "pass")
    editor.open(uri, text)
    assert await editor.diagnostics(uri) == []
    spot = text.index("pass\n    return")
    editor.replace(uri, spot, spot + len("pass"), LEAK_CALL)
    [diagnostic] = await editor.diagnostics(uri)
    assert diagnostic.range == expected_range(editor, editor.texts[uri])


async def test_closing_a_document_clears_its_diagnostics(editor: Editor) -> None:
    uri = "file:///project/handler.py"
    editor.open(uri, leaking_handler())
    assert len(await editor.diagnostics(uri)) == 1
    editor.close(uri)
    if editor.pulls:  # a pulling client drops its own; the server forgets the document
        assert await editor.diagnostics(uri) == []
    else:
        await asyncio.wait_for(_until_cleared(editor, uri), 20)


async def _until_cleared(editor: Editor, uri: str) -> None:
    while uri not in editor.client.diagnostics or len(editor.client.diagnostics[uri]) > 0:
        await asyncio.sleep(0.01)


async def test_a_pull_with_the_previous_result_id_gets_an_unchanged_report(lsp_pulling: LanguageClient, pulling_editor: Editor) -> None:
    lsp, editor = lsp_pulling, pulling_editor
    uri = "file:///project/handler.py"
    editor.open(uri, leaking_handler())
    identifier = types.TextDocumentIdentifier(uri=uri)
    first = await lsp.text_document_diagnostic_async(types.DocumentDiagnosticParams(text_document=identifier))
    again = await lsp.text_document_diagnostic_async(types.DocumentDiagnosticParams(text_document=identifier, previous_result_id=first.result_id))
    assert first.result_id is not None
    assert isinstance(again, types.RelatedUnchangedDocumentDiagnosticReport) and again.result_id == first.result_id


async def test_a_pull_after_a_change_gets_a_full_report_with_a_new_result_id(lsp_pulling: LanguageClient, pulling_editor: Editor) -> None:
    lsp, editor = lsp_pulling, pulling_editor
    uri = "file:///project/handler.py"
    text = leaking_handler()
    editor.open(uri, text)
    identifier = types.TextDocumentIdentifier(uri=uri)
    first = await lsp.text_document_diagnostic_async(types.DocumentDiagnosticParams(text_document=identifier))
    editor.replace(uri, 0, 0, "\n")
    again = await lsp.text_document_diagnostic_async(types.DocumentDiagnosticParams(text_document=identifier, previous_result_id=first.result_id))
    assert isinstance(again, types.RelatedFullDocumentDiagnosticReport) and again.result_id != first.result_id
    assert [item.range.start.line for item in again.items] == [item.range.start.line + 1 for item in first.items]


async def test_a_push_client_gets_no_pull_only_and_a_pull_client_gets_no_push(lsp: LanguageClient, editor: Editor) -> None:
    uri = "file:///project/handler.py"
    editor.open(uri, leaking_handler())
    await editor.diagnostics(uri)
    await asyncio.sleep(0.3)  # longer than the debounce: a push would have arrived
    assert (uri in lsp.diagnostics) is not editor.pulls


async def test_a_syntax_error_elsewhere_keeps_the_diagnostics_of_the_other_functions(editor: Editor) -> None:
    uri = "file:///project/handler.py"
    text = leaking_handler() + "\ndef half_typed(:\n    x = (1,\n"
    editor.open(uri, text)
    diagnostics = await editor.diagnostics(uri)
    assert [diagnostic.range for diagnostic in diagnostics if diagnostic.code == "EL101"] == [expected_range(editor, text)]


async def test_half_typed_code_while_editing_keeps_the_server_answering(editor: Editor) -> None:
    uri = "file:///project/handler.py"
    text = leaking_handler()
    editor.open(uri, text)
    end = len(text)
    for piece in ["def ", "other", "(", "event", ", ", "context", ")", ":", "\n    threading.", "Thread(", "target=work).start()\n"]:
        editor.replace(uri, end, end, piece)
        end += len(piece)
    codes = [diagnostic.code for diagnostic in await editor.diagnostics(uri)]
    assert codes.count("EL101") >= 1


async def test_an_edit_past_the_end_is_refused_and_a_full_change_resynchronises(lsp: LanguageClient, editor: Editor) -> None:
    uri = "file:///project/handler.py"
    text = leaking_handler()
    editor.open(uri, text)
    await editor.diagnostics(uri)
    beyond = types.Range(start=types.Position(line=500, character=0), end=types.Position(line=500, character=0))
    document = types.VersionedTextDocumentIdentifier(uri=uri, version=2)
    change = types.TextDocumentContentChangePartial(range=beyond, text="x")
    lsp.text_document_did_change(types.DidChangeTextDocumentParams(text_document=document, content_changes=[change]))
    editor.versions[uri] = 2
    assert await _error_logged(lsp)
    editor.replace_all(uri, text)
    assert len(await editor.diagnostics(uri)) == 1


async def _error_logged(lsp: LanguageClient) -> bool:
    while not any(message.type == types.MessageType.Error for message in lsp.log_messages):
        await asyncio.sleep(0.01)
    return True


async def test_a_change_with_no_edits_gets_diagnostics_for_its_own_version(tmp_path: Path, editor: Editor) -> None:
    uri = (tmp_path / "handler.py").as_uri()
    editor.open(uri, leaking_handler())
    first = await editor.diagnostics(uri)
    editor._send(uri, editor.texts[uri], [])  # version 2, the same text
    assert await editor.diagnostics(uri) == first  # published (or pulled) for version 2, not version 1 again
