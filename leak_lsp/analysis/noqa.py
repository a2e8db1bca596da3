"""``# noqa`` comments, read as flake8 and ruff read them."""

from __future__ import annotations

import io
import re
import tokenize

from leak_lsp.analysis.text import LineIndex

NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)
_CODE = re.compile(r"[A-Z]+[0-9]+", re.IGNORECASE)


def suppressed_codes(lines: LineIndex) -> dict[int, set[str]]:
    """0-based line -> codes its noqa comment names; an empty set means every code."""
    result: dict[int, set[str]] = {}
    for line, comment in comments(lines):
        match = NOQA.search(comment)
        if match:
            codes = match.group("codes")
            result[line] = {code.upper() for code in _CODE.findall(codes)} if codes else set()
    return result


def comments(lines: LineIndex) -> list[tuple[int, str]]:
    """Comments with their 0-based line; falls back to a plain scan when tokenizing fails."""
    found: list[tuple[int, str]] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(lines.text, newline=None).readline):
            if token.type == tokenize.COMMENT:
                found.append((token.start[0] - 1, token.string))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        found = []
        for number in range(lines.line_count):
            text = lines.line(number)
            if "#" in text:
                found.append((number, text[text.index("#"):]))
    return found
