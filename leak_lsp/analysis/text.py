"""Source text as LSP sees it: lines end only at ``\\n``, ``\\r\\n`` and ``\\r``.

``str.splitlines`` also breaks on form feeds and other separators, which would shift
every position after them; Python's tokenizer and LSP both do not.
"""

from __future__ import annotations

import codecs
import io
import re
import tokenize
from bisect import bisect_right
from collections.abc import Iterable
from itertools import accumulate
from typing import Literal

from leak_lsp.analysis.model import Position, TextEdit

Encoding = Literal["utf-8", "utf-16", "utf-32"]

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class LineIndex:
    """Offsets of line starts in a text, for position <-> offset conversions."""

    def __init__(self, text: str) -> None:
        self.text = text
        if "\r" in text:
            self.starts = [0] + [match.end() for match in _LINE_BREAK.finditer(text)]
        else:  # ``\n`` alone: the lines' lengths, summed, are faster than a regular expression
            self.starts = list(accumulate((len(line) + 1 for line in text.split("\n")[:-1]), initial=0))

    @property
    def line_count(self) -> int:
        return len(self.starts)

    def line(self, number: int) -> str:
        """The line without its terminator; empty past the end."""
        if not 0 <= number < len(self.starts):
            return ""
        start = self.starts[number]
        end = self.starts[number + 1] if number + 1 < len(self.starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n") if end > start else ""

    def line_ending(self, number: int) -> str:
        start = self.starts[number]
        end = self.starts[number + 1] if number + 1 < len(self.starts) else len(self.text)
        raw = self.text[start:end]
        return raw[len(raw.rstrip("\r\n")) :]

    def offset(self, position: Position) -> int:
        """Offset of a code-point position, clamped to the text as LSP asks."""
        if position.line >= len(self.starts):
            return len(self.text)
        if position.line < 0:
            return 0
        return self.starts[position.line] + min(max(position.column, 0), len(self.line(position.line)))

    def position(self, offset: int) -> Position:
        offset = min(max(offset, 0), len(self.text))
        line = bisect_right(self.starts, offset) - 1
        return Position(line, offset - self.starts[line])

    def dominant_line_ending(self) -> str:
        """The line terminator most used in the text, ``\\n`` when there is none."""
        counts = {"\r\n": self.text.count("\r\n")}
        counts["\r"] = self.text.count("\r") - counts["\r\n"]
        counts["\n"] = self.text.count("\n") - counts["\r\n"]
        best = max(counts, key=lambda ending: counts[ending])
        return best if counts[best] else "\n"


def utf8_column_to_index(line: str, byte_column: int) -> int:
    """Python's ``ast`` counts columns in UTF-8 bytes; this gives the ``str`` index."""
    return len(line.encode("utf-8")[:byte_column].decode("utf-8", errors="ignore"))


def index_to_units(line: str, index: int, encoding: Encoding) -> int:
    """A code-point column as the client counts it."""
    prefix = line[:index]
    if encoding == "utf-32":
        return len(prefix)
    if encoding == "utf-8":
        return len(prefix.encode("utf-8", errors="surrogatepass"))
    return len(prefix.encode("utf-16-le", errors="surrogatepass")) // 2


def units_to_index(line: str, units: int, encoding: Encoding) -> int:
    """A client column as a code-point index, clamped to the line.

    A column that falls inside a character (half of a surrogate pair, or inside a
    multi-byte UTF-8 sequence) rounds down to the character's start.
    """
    if encoding == "utf-32":
        return min(max(units, 0), len(line))
    counted = 0
    for index, character in enumerate(line):
        width = len(character.encode("utf-8", errors="surrogatepass")) if encoding == "utf-8" else (2 if ord(character) > 0xFFFF else 1)
        if counted + width > units:
            return index
        counted += width
    return len(line)


def decode_source(data: bytes) -> str:
    """Decode Python source bytes as the interpreter would (BOM, PEP 263 cookie, UTF-8).

    Raises ``UnicodeDecodeError`` or ``SyntaxError`` (unknown codec) with a clear message.
    """
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        raise SyntaxError(f"cannot detect the encoding: {error.msg}") from None
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise SyntaxError(f"unknown encoding {encoding!r}") from None
    text = data.decode(encoding)
    return text[1:] if text.startswith("\ufeff") else text


def apply_edits(text: str, edits: Iterable[TextEdit]) -> str:
    """The text with non-overlapping edits applied; ``ValueError`` when two overlap."""
    index = LineIndex(text)
    located = sorted((index.offset(edit.span.start), index.offset(edit.span.end), edit.new_text) for edit in edits)
    pieces, cursor = [], 0
    for start, end, new_text in located:
        if start < cursor:
            raise ValueError("overlapping edits")
        pieces.append(text[cursor:start])
        pieces.append(new_text)
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)
