"""Every fix offered on the fixture corpus, applied: it parses, removes its finding, and nothing else."""

from __future__ import annotations

import ast
import difflib
from pathlib import Path

import pytest

from leak_lsp.analysis import analyze_source
from leak_lsp.analysis.model import Applicability, Finding, Fix
from leak_lsp.analysis.text import apply_edits

CORPUS = Path(__file__).parent.parent / "fixtures" / "analysis"


def _offered_fixes() -> list[tuple[Path, int, int]]:
    cases = []
    for path in sorted(CORPUS.rglob("*.py")):
        report = analyze_source(path.read_text(encoding="utf-8"), str(path))
        for index, finding in enumerate(report.findings):
            for number, fix in enumerate(finding.fixes):
                if fix.applicability is not Applicability.DISPLAY:
                    cases.append((path, index, number))
    return cases


CASES = _offered_fixes()


def _identity(finding: Finding) -> tuple[str, str]:
    """What names a finding independently of where the fix moved its line."""
    return finding.code, finding.message.split(" on line")[0].split(" when the")[0]


def test_the_corpus_offers_fixes_for_most_rules() -> None:
    codes = set()
    for path, index, _ in CASES:
        codes.add(analyze_source(path.read_text(encoding="utf-8"), str(path)).findings[index].code)
    assert {"EL101", "EL102", "EL103", "EL104", "EL105", "EL106", "EL201", "EL202"} <= codes


@pytest.mark.parametrize(("path", "index", "number"), CASES,
                         ids=[f"{p.relative_to(CORPUS)}:{i}:{n}" for p, i, n in CASES])
def test_fix_settles_its_finding_and_changes_nothing_else(path: Path, index: int, number: int) -> None:
    source = path.read_text(encoding="utf-8")
    before = analyze_source(source, str(path))
    finding = before.findings[index]
    fix: Fix = finding.fixes[number]

    fixed = apply_edits(source, fix.edits)

    ast.parse(fixed)
    after = analyze_source(fixed, str(path))
    remaining = [_identity(f) for f in after.findings]
    expected = [_identity(f) for f in before.findings]
    expected.remove(_identity(finding))
    assert sorted(remaining) == sorted(expected), "\n".join(difflib.unified_diff(
        source.splitlines(), fixed.splitlines(), lineterm=""))
    edited = {line for edit in fix.edits for line in range(edit.span.start.line, edit.span.end.line + 1)}
    kept = [line for number, line in enumerate(source.splitlines()) if number not in edited]
    fixed_lines = fixed.splitlines()
    assert [line for line in kept if line not in fixed_lines] == []
