"""``# noqa`` comments, read line by line as flake8 and ruff read them.

A finding on a line whose noqa comment names its code (or names none) is suppressed. A
leak-lsp code in a noqa comment that suppresses nothing, or that is no rule at all, is
reported itself (EL910, as ruff's RUF100): a stale suppression would otherwise hide the
next real leak on that line. Other tools' codes (``E501``) are theirs to judge.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from leak_lsp.analysis.config import Settings
from leak_lsp.analysis.model import Applicability, Finding, Fix, Span, TextEdit
from leak_lsp.analysis.text import LineIndex

NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)
_CODE = re.compile(r"[A-Z]+[0-9]+", re.IGNORECASE)
_MENTION = re.compile(r"noqa", re.IGNORECASE)
OWN_PREFIX = "EL"
UNUSED_NOQA = "EL910"


@dataclass(frozen=True)
class _NamedCode:
    text: str  # upper-cased
    span: Span  # where the comment names it
    removal: Span | None  # what to delete to drop it from the comment; None when no clean cut exists


def _directives(lines: LineIndex) -> dict[int, list[_NamedCode]]:
    result: dict[int, list[_NamedCode]] = {}
    for mention in _MENTION.finditer(lines.text):
        line = lines.position(mention.start()).line
        text = lines.line(line)
        match = NOQA.search(text)
        if match and line not in result:
            result[line] = list(_named_codes(line, text, match))
    return result


def _named_codes(line: int, text: str, match: re.Match[str]) -> Iterator[_NamedCode]:
    if not match.group("codes"):
        return
    start = match.start("codes")
    codes = [(start + code.start(), start + code.end(), code.group().upper())
             for code in _CODE.finditer(match.group("codes"))]
    clean = match.end() == len(text) or text[match.end()] in " \t#"  # not ``EL1O1``, read as ``EL1``
    for index, (begin, end, code) in enumerate(codes):
        removal = _removal(text, match, codes, index) if clean else None
        cut = Span.of(line, removal[0], line, removal[1]) if removal else None
        yield _NamedCode(code, Span.of(line, begin, line, end), cut)


def _removal(text: str, match: re.Match[str], codes: list[tuple[int, int, str]], index: int) -> tuple[int, int]:
    """The columns to delete: the whole directive for its only code (a bare ``# noqa`` would
    suppress everything), else the code with the separator after it (before it, for the last)."""
    if len(codes) == 1:
        return len(text[:match.start()].rstrip()), match.end()
    if index + 1 < len(codes):
        return codes[index][0], codes[index + 1][0]
    return codes[index - 1][1], codes[index][1]


def apply_noqa(findings: Iterable[Finding], lines: LineIndex, path: str, settings: Settings) -> list[Finding]:
    """The findings no noqa comment suppresses, then one EL910 per unknown or unused code."""
    directives = _directives(lines)
    kept, used = [], set()
    for finding in findings:
        line = finding.span.start.line
        codes = {code.text for code in directives.get(line, [])}
        if line in directives and (not codes or finding.code in codes):
            used.add((line, finding.code))
            continue
        kept.append(finding)
    return kept + _unused(directives, used, lines, path, settings)


def _unused(directives: dict[int, list[_NamedCode]], used: set[tuple[int, str]], lines: LineIndex, path: str,
            settings: Settings) -> list[Finding]:
    from leak_lsp.rules import all_rules, rule_for

    known = {rule.code for rule in all_rules()}
    candidates = [(line, code) for line, codes in directives.items() for code in codes
                  if code.text.startswith(OWN_PREFIX) and (line, code.text) not in used]
    if not candidates:
        return []
    comments = _comment_lines(lines.text)
    rule = rule_for(UNUSED_NOQA)
    severity = settings.severity_of(rule.code, rule.severity)
    return [
        Finding(rule.code, rule.name, rule.render(_why(code.text, known)), severity, code.span, path,
                fixes=_removal_fix(code))
        for line, code in candidates
        if comments is None or line in comments
    ]


def _removal_fix(code: _NamedCode) -> tuple[Fix, ...]:
    if code.removal is None:
        return ()
    return (Fix(f"Remove `{code.text}` from the noqa comment", (TextEdit(code.removal, ""),), Applicability.SAFE,
                preferred=True),)


def _why(code: str, known: set[str]) -> str:
    return f"`{code}` suppresses nothing on this line" if code in known else f"`{code}` is no leak-lsp rule"


def _comment_lines(text: str) -> set[int] | None:
    """0-based lines holding a comment (so "# noqa" inside a string does not count); None if the text does not tokenize."""
    try:
        tokens = tokenize.generate_tokens(io.StringIO(text).readline)
        return {token.start[0] - 1 for token in tokens if token.type == tokenize.COMMENT}
    except (tokenize.TokenError, SyntaxError, ValueError):
        return None
