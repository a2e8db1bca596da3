"""Code-point positions of the analysis <-> positions in the client's negotiated units.

The analysis counts columns in code points; a client counts them in UTF-8 bytes,
UTF-16 code units or code points, as agreed in ``positionEncoding``. Every range that
crosses the wire goes through :class:`PositionCodec`.
"""

from __future__ import annotations

from dataclasses import dataclass

from lsprotocol import types

from leak_lsp.analysis.model import Position, Span
from leak_lsp.analysis.text import Encoding, LineIndex, index_to_units, units_to_index

_ENCODINGS: dict[str, Encoding] = {
    types.PositionEncodingKind.Utf8.value: "utf-8",
    types.PositionEncodingKind.Utf16.value: "utf-16",
    types.PositionEncodingKind.Utf32.value: "utf-32",
}


class PositionOutOfRange(ValueError):
    """A client position names a line the document does not have."""


def encoding_named(kind: str | types.PositionEncodingKind | None) -> Encoding:
    """The encoding of a ``positionEncoding`` value; LSP's default is UTF-16."""
    if kind is None:
        return "utf-16"
    return _ENCODINGS.get(getattr(kind, "value", kind), "utf-16")


@dataclass(frozen=True)
class PositionCodec:
    encoding: Encoding

    def to_client(self, index: LineIndex, position: Position) -> types.Position:
        """A code-point position as the client counts it (clamped to the text)."""
        line = min(max(position.line, 0), index.line_count - 1)
        text = index.line(line)
        column = len(text) if position.line > line else min(max(position.column, 0), len(text))
        return types.Position(line=line, character=index_to_units(text, column, self.encoding))

    def range_to_client(self, index: LineIndex, span: Span) -> types.Range:
        return types.Range(start=self.to_client(index, span.start), end=self.to_client(index, span.end))

    def from_client(self, index: LineIndex, position: types.Position) -> Position:
        """A client position in code points.

        A column past the end of its line means the end of the line (LSP's rule); a
        line past the end of the document is an error.
        """
        if position.line >= index.line_count:
            raise PositionOutOfRange(f"line {position.line} is past the end of the document ({index.line_count} lines)")
        text = index.line(position.line)
        return Position(position.line, units_to_index(text, position.character, self.encoding))

    def span_from_client(self, index: LineIndex, client_range: types.Range) -> Span:
        start = self.from_client(index, client_range.start)
        end = self.from_client(index, client_range.end)
        if end < start:
            raise PositionOutOfRange(f"the range ends before it starts: {start} > {end}")
        return Span(start, end)
