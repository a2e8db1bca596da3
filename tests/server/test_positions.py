"""Code-point positions <-> client units, for each negotiated encoding."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lsprotocol import types

from leak_lsp.analysis.model import Position
from leak_lsp.analysis.text import LineIndex
from leak_lsp.server.positions import PositionCodec, PositionOutOfRange, encoding_named

LINE = "s = 'é😀'; go()"  # é: 2 UTF-8 bytes, 1 UTF-16 unit; 😀: 4 bytes, 2 units
GO_COLUMN = LINE.index("go")


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-8", GO_COLUMN + 1 + 3), ("utf-16", GO_COLUMN + 1), ("utf-32", GO_COLUMN)],
)
def test_a_column_after_non_ascii_text_is_counted_in_the_client_units(encoding: str, expected: int) -> None:
    codec = PositionCodec(encoding_named(encoding))
    assert codec.to_client(LineIndex(LINE), Position(0, GO_COLUMN)) == types.Position(line=0, character=expected)


def test_lsp_defaults_to_utf16_when_nothing_was_negotiated() -> None:
    assert encoding_named(None) == "utf-16"


def test_a_column_past_the_end_of_the_line_means_the_end_of_the_line() -> None:
    codec = PositionCodec("utf-16")
    assert codec.from_client(LineIndex("ab\ncd"), types.Position(line=0, character=40)) == Position(0, 2)


def test_a_line_past_the_end_of_the_document_is_out_of_range() -> None:
    with pytest.raises(PositionOutOfRange):
        PositionCodec("utf-16").from_client(LineIndex("ab\ncd"), types.Position(line=2, character=0))


def test_a_range_that_ends_before_it_starts_is_out_of_range() -> None:
    backwards = types.Range(start=types.Position(line=0, character=2), end=types.Position(line=0, character=1))
    with pytest.raises(PositionOutOfRange):
        PositionCodec("utf-16").span_from_client(LineIndex("abc"), backwards)


@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\r\n"), max_size=30), st.data())
@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-32"])
def test_every_character_boundary_survives_the_round_trip(encoding: str, line: str, data: st.DataObject) -> None:
    codec = PositionCodec(encoding_named(encoding))
    index = LineIndex(line)
    column = data.draw(st.integers(min_value=0, max_value=len(line)))
    assert codec.from_client(index, codec.to_client(index, Position(0, column))) == Position(0, column)
