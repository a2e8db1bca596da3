"""Which fixes go in together when every fix of a file is applied at once (fixAll, ``--fix``).

One fix per finding, its preferred one, if its applicability is allowed; a fix whose
edits overlap an edit already chosen waits for the next round (on the fixed text).
Spans of one text compare like offsets, so no text is needed here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from leak_lsp.analysis.model import Applicability, Finding, Fix, Span, TextEdit


def allowed_applicabilities(unsafe: bool) -> frozenset[Applicability]:
    return frozenset({Applicability.SAFE, Applicability.UNSAFE}) if unsafe else frozenset({Applicability.SAFE})


def fix_to_apply(finding: Finding, unsafe: bool) -> Fix | None:
    """The one fix applied for this finding when fixing everything, if any."""
    allowed = allowed_applicabilities(unsafe)
    return next((fix for fix in finding.fixes if fix.preferred and fix.applicability in allowed), None)


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
