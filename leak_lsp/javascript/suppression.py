"""``// noqa: EL102`` (or ``/* noqa */``) comments on the reported line, as for Python's ``# noqa``."""

from __future__ import annotations

import re

from leak_lsp.analysis.text import LineIndex

_NOQA = re.compile(r"(?://|/\*)\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)
_CODE = re.compile(r"[A-Z]+[0-9]+", re.IGNORECASE)


def suppressed_codes(lines: LineIndex) -> dict[int, set[str]]:
    """0-based line -> codes its noqa comment names; an empty set means every code."""
    result: dict[int, set[str]] = {}
    for match in _NOQA.finditer(lines.text):
        line = lines.position(match.start()).line
        if line not in result:
            codes = match.group("codes")
            result[line] = {code.upper() for code in _CODE.findall(codes)} if codes else set()
    return result
