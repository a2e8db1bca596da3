"""``# noqa`` comments, read as flake8 and ruff read them."""

from __future__ import annotations

import re
import tokenize

NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)
_CODE = re.compile(r"[A-Z]+[0-9]+", re.IGNORECASE)


def suppressed_codes(tokens: list[tokenize.TokenInfo]) -> dict[int, set[str]]:
    """0-based line -> codes its noqa comment names; an empty set means every code."""
    result: dict[int, set[str]] = {}
    for line, comment in comments(tokens).items():
        match = NOQA.search(comment)
        if match:
            codes = match.group("codes")
            result[line] = {code.upper() for code in _CODE.findall(codes)} if codes else set()
    return result


def comments(tokens: list[tokenize.TokenInfo]) -> dict[int, str]:
    """0-based line -> the comment on it."""
    return {token.start[0] - 1: token.string for token in tokens if token.type == tokenize.COMMENT}
