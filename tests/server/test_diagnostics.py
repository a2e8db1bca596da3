"""Diagnostics reach the editor at the right place, follow edits, and go away on close."""

from __future__ import annotations

import pytest

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
