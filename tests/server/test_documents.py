"""The document store applies incremental changes with LSP's line model."""

from __future__ import annotations

import pytest
from lsprotocol import types

from leak_lsp.server.documents import DocumentOutOfSync, DocumentStore
from leak_lsp.server.positions import PositionCodec

URI = "file:///project/handler.py"


def _change(line: int, character: int, end_line: int, end_character: int, text: str) -> types.TextDocumentContentChangePartial:
    span = types.Range(start=types.Position(line=line, character=character), end=types.Position(line=end_line, character=end_character))
    return types.TextDocumentContentChangePartial(range=span, text=text)


def _store(text: str, encoding: str = "utf-16") -> DocumentStore:
    store = DocumentStore(PositionCodec(encoding))  # type: ignore[arg-type]
    store.open(URI, text, 1)
    return store


def test_an_edit_after_a_form_feed_lands_on_the_lsp_line() -> None:
    store = _store("a = 1\n\x0c\nb = 2\n")
    document = store.change(URI, 2, [_change(2, 0, 2, 1, "c")])
    assert document.text == "a = 1\n\x0c\nc = 2\n"


def test_an_edit_on_a_line_with_a_form_feed_inside_it_counts_the_form_feed_as_a_character() -> None:
    store = _store("x\x0cy = 1\n")
    assert store.change(URI, 2, [_change(0, 2, 0, 3, "z")]).text == "x\x0cz = 1\n"


@pytest.mark.parametrize("ending", ["\r\n", "\r", "\n"])
def test_each_lsp_line_ending_separates_lines(ending: str) -> None:
    store = _store(ending.join(["one", "two", "three"]))
    assert store.change(URI, 2, [_change(1, 0, 1, 3, "TWO")]).text == ending.join(["one", "TWO", "three"])


def test_an_edit_that_splits_a_crlf_pair_keeps_the_other_lines_in_place() -> None:
    store = _store("a\r\nb\r\nc")
    document = store.change(URI, 2, [_change(0, 1, 0, 1, "\r")])
    assert document.text == "a\r\r\nb\r\nc"
    assert document.index.line(2) == "b"


@pytest.mark.parametrize(("encoding", "column"), [("utf-8", 6), ("utf-16", 3), ("utf-32", 2)])
def test_an_edit_after_non_ascii_text_uses_the_negotiated_encoding(encoding: str, column: int) -> None:
    store = _store("é😀x\n", encoding)
    assert store.change(URI, 2, [_change(0, column, 0, column + 1, "y")]).text == "é😀y\n"


def test_changes_in_one_notification_apply_in_order() -> None:
    store = _store("abc\n")
    document = store.change(URI, 2, [_change(0, 0, 0, 1, "X"), _change(0, 1, 0, 2, "Y")])
    assert (document.text, document.version) == ("XYc\n", 2)


def test_an_edit_past_the_last_line_puts_the_document_out_of_sync() -> None:
    store = _store("abc\n")
    with pytest.raises(DocumentOutOfSync):
        store.change(URI, 2, [_change(5, 0, 5, 0, "x")])
    assert store.get(URI).in_sync is False  # type: ignore[union-attr]


def test_an_out_of_sync_document_refuses_incremental_changes_until_a_full_change() -> None:
    store = _store("abc\n")
    with pytest.raises(DocumentOutOfSync):
        store.change(URI, 2, [_change(5, 0, 5, 0, "x")])
    with pytest.raises(DocumentOutOfSync):
        store.change(URI, 3, [_change(0, 0, 0, 0, "x")])
    document = store.change(URI, 4, [types.TextDocumentContentChangeWholeDocument(text="fresh\n")])
    assert (document.text, document.version, document.in_sync) == ("fresh\n", 4, True)


def test_a_change_to_a_document_that_is_not_open_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        _store("").change("file:///other.py", 2, [])
