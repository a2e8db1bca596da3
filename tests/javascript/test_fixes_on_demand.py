"""Fixes on demand for JavaScript/TypeScript: without fixes, findings carry a recipe, and the recipe (or
what the incremental analysis kept) builds exactly the fixes an analysis with fixes computes."""

from __future__ import annotations

from dataclasses import replace

import pytest

from leak_lsp.analysis import analyze_source, fixes_for
from leak_lsp.analysis.config import Settings
from leak_lsp.analysis.incremental import IncrementalAnalyzer
from leak_lsp.analysis.model import Finding

from .corpus import Fixture, all_fixtures

WITH_FIXES = [fixture for fixture in all_fixtures()
              if any(finding.fixes for finding in analyze_source(fixture.source, str(fixture.path)).findings)]


def _without_fixes(findings: list[Finding]) -> list[Finding]:
    return [replace(finding, fixes=(), recipe=None) for finding in findings]


def test_the_corpus_has_javascript_findings_with_fixes() -> None:
    assert len(WITH_FIXES) >= 20


@pytest.mark.parametrize("fixture", WITH_FIXES, ids=lambda fixture: fixture.id)
def test_without_fixes_the_findings_are_the_same_and_carry_a_recipe_and_no_edit(fixture: Fixture) -> None:
    eager = analyze_source(fixture.source, str(fixture.path)).findings
    lazy = analyze_source(fixture.source, str(fixture.path), fixes=False).findings
    assert _without_fixes(lazy) == _without_fixes(eager)
    assert all(finding.fixes == () and finding.recipe is not None for finding in lazy)


@pytest.mark.parametrize("fixture", WITH_FIXES, ids=lambda fixture: fixture.id)
def test_a_recipe_and_the_kept_fixer_rebuild_the_eager_fixes(fixture: Fixture) -> None:
    path = str(fixture.path)
    eager = analyze_source(fixture.source, path).findings
    analyzer = IncrementalAnalyzer(path, Settings(), fixes=False)
    lazy = analyzer.analyze(fixture.source).findings
    assert analyzer.fixer is not None
    for finding, computed in zip(eager, lazy, strict=True):
        assert computed.recipe is not None
        assert fixes_for(fixture.source, computed.recipe, path=path) == finding.fixes
        assert analyzer.fixer(computed.recipe) == finding.fixes


def test_after_an_edit_the_kept_fixer_builds_the_fixes_of_the_new_text() -> None:
    fixture = WITH_FIXES[0]
    path = str(fixture.path)
    analyzer = IncrementalAnalyzer(path, Settings(), fixes=False)
    analyzer.analyze(fixture.source)
    edited = "// a comment typed above\n" + fixture.source
    lazy = analyzer.analyze(edited).findings
    eager = analyze_source(edited, path).findings
    assert analyzer.fixer is not None and any(finding.fixes for finding in eager)
    assert [analyzer.fixer(finding.recipe) for finding in lazy if finding.recipe] == [finding.fixes for finding in eager]


def test_a_recipe_for_a_text_that_changed_gives_no_fix() -> None:
    fixture = WITH_FIXES[0]
    [recipe, *_] = [f.recipe for f in analyze_source(fixture.source, str(fixture.path), fixes=False).findings if f.recipe]
    assert fixes_for("export const handler = async () => 1;\n", recipe, path=str(fixture.path)) == ()
