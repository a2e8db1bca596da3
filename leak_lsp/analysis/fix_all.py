"""Every fix of a file at once (the server's fixAll, ``check --fix``), as ruff does it.

One fix per finding, its preferred one, if its applicability is allowed; a fix whose
edits overlap an edit already chosen waits for the next round, on the fixed text, which
is analysed again. A round that would turn parsing code into a syntax error is dropped.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from leak_lsp.analysis.config import Settings
from leak_lsp.analysis.model import Applicability, FileReport, Finding, Fix, Span, TextEdit
from leak_lsp.analysis.text import LineIndex, apply_edits

if TYPE_CHECKING:
    from leak_lsp.project.workspace import Workspace


def allowed_applicabilities(unsafe: bool) -> frozenset[Applicability]:
    return frozenset({Applicability.SAFE, Applicability.UNSAFE}) if unsafe else frozenset({Applicability.SAFE})


def fix_to_apply(finding: Finding, unsafe: bool) -> Fix | None:
    """The one fix applied for this finding when fixing everything, if any: the preferred one
    if allowed, else the first safe one, else (``unsafe``) the first unsafe one."""
    allowed = [fix for fix in finding.fixes if fix.applicability in allowed_applicabilities(unsafe)]
    ranked = sorted(allowed, key=lambda fix: (not fix.preferred, fix.applicability is Applicability.UNSAFE))
    return ranked[0] if ranked else None


def select_fixes(findings: Iterable[Finding], unsafe: bool) -> list[TextEdit]:
    """The edits of the fixes that can be applied together, in document order of findings."""
    chosen: list[TextEdit] = []
    for finding in sorted(findings, key=lambda finding: finding.span.start):
        fix = fix_to_apply(finding, unsafe)
        if fix is None:
            continue
        spans = [edit.span for edit in fix.edits]
        if _overlaps_any(spans, [edit.span for edit in chosen]) or _overlaps_within(spans):
            continue
        chosen.extend(fix.edits)
    return chosen


def _overlap(first: Span, second: Span) -> bool:
    """Spans that share a character, or two insertions at one place (their order is ambiguous)."""
    return first.start == second.start or (first.start < second.end and second.start < first.end)


def _overlaps_any(spans: Sequence[Span], taken: Sequence[Span]) -> bool:
    return any(_overlap(new, old) for new in spans for old in taken)


def _overlaps_within(spans: Sequence[Span]) -> bool:
    return any(_overlap(spans[i], spans[j]) for i in range(len(spans)) for j in range(i + 1, len(spans)))


MAX_ROUNDS = 10

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class FixedSource:
    text: str
    report: FileReport  # the analysis of ``text``
    applied: int  # how many findings' fixes went in
    warning: str | None = None  # why fixing stopped early


def fix_source(text: str, report: FileReport, settings: Settings, unsafe: bool,
               workspace: Workspace | None = None) -> FixedSource:
    """Apply fixes round after round until none is left or ``MAX_ROUNDS`` is reached."""
    from leak_lsp.analysis import analyze_source

    applied = 0
    parsed_before = _parses(text, report.path)
    for _ in range(MAX_ROUNDS):
        edits = select_fixes(report.findings, unsafe)
        if not edits:
            break
        candidate = apply_edits(text, _in_line_ending(edits, LineIndex(text).dominant_line_ending()))
        if parsed_before and not _parses(candidate, report.path):
            return FixedSource(text, report, applied, "a fix would have introduced a syntax error; it was not applied")
        text, applied = candidate, applied + _fixes_among(report.findings, edits, unsafe)
        report = analyze_source(text, report.path, settings, workspace)
    return FixedSource(text, report, applied)


def _fixes_among(findings: Iterable[Finding], edits: Iterable[TextEdit], unsafe: bool) -> int:
    """How many findings had their fix chosen, for the "Fixed N leaks" line."""
    chosen = set(edits)
    fixes = (fix_to_apply(finding, unsafe) for finding in findings)
    return sum(1 for fix in fixes if fix is not None and fix.edits and chosen.issuperset(fix.edits))


def _in_line_ending(edits: Iterable[TextEdit], line_ending: str) -> list[TextEdit]:
    """The edits with their line breaks written as the file writes them."""
    return [TextEdit(edit.span, _LINE_BREAK.sub(line_ending, edit.new_text)) for edit in edits]


def _parses(text: str, path: str) -> bool:
    from leak_lsp.javascript import is_javascript_path

    if is_javascript_path(path):
        from leak_lsp.javascript.syntax import ParsedSource

        return not ParsedSource(text, path).root.has_error
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the user's invalid escapes are not our news
            ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True
