"""Fixes on demand: an analysis without fixes carries recipes that rebuild exactly the eager fixes."""

from __future__ import annotations

from dataclasses import replace

import pytest

from leak_lsp.analysis import analyze_source, fixes_for
from leak_lsp.analysis.config import Settings
from leak_lsp.analysis.incremental import IncrementalAnalyzer
from leak_lsp.analysis.model import Fix

from .fixture_corpus import Fixture, all_fixtures

WITH_RECIPES = [fixture for fixture in all_fixtures()
                if any(finding.recipe for finding in analyze_source(fixture.source, str(fixture.path)).findings)]


def test_the_corpus_has_findings_with_recipes() -> None:
    assert len(WITH_RECIPES) >= 20


@pytest.mark.parametrize("fixture", WITH_RECIPES, ids=lambda fixture: fixture.id)
def test_a_recipe_rebuilds_the_eager_fixes(fixture: Fixture) -> None:
    eager = analyze_source(fixture.source, str(fixture.path)).findings
    lazy = analyze_source(fixture.source, str(fixture.path), fixes=False).findings
    assert [replace(finding, fixes=()) for finding in lazy] == [replace(finding, fixes=()) for finding in eager]
    for finding, computed in zip(eager, lazy):
        rebuilt = fixes_for(fixture.source, computed.recipe, path=str(fixture.path)) if computed.recipe else ()
        assert rebuilt == (finding.fixes if computed.recipe else ())


def test_an_analysis_without_fixes_keeps_only_the_noqa_fix() -> None:
    source = next(fixture.source for fixture in WITH_RECIPES)
    eager = analyze_source(source).findings
    lazy = analyze_source(source, fixes=False).findings
    assert any(len(finding.fixes) > 1 for finding in eager)
    assert [finding.fixes for finding in lazy] == [finding.fixes[-1:] for finding in eager]  # the noqa fix comes last


def test_a_recipe_for_a_text_that_changed_gives_no_fix() -> None:
    fixture = WITH_RECIPES[0]
    recipe = next(finding.recipe for finding in analyze_source(fixture.source, fixes=False).findings if finding.recipe)
    assert fixes_for("x = 1\n", recipe) == ()


def test_an_exception_path_finding_rebuilds_its_finally_fix_from_its_recipe() -> None:
    source = ("import threading\nimport requests\n\n\ndef lambda_handler(event, context):\n"
              "    worker = threading.Thread(target=print)\n    worker.start()\n"
              "    response = requests.get(event['url'])\n    worker.join()\n    return response.status_code\n")
    [eager] = analyze_source(source).findings
    [lazy] = analyze_source(source, fixes=False).findings
    assert eager.code == lazy.code == "EL902" and lazy.recipe is not None
    rebuilt = fixes_for(source, lazy.recipe)
    assert rebuilt == eager.fixes and any("finally:" in edit.new_text for fix in rebuilt for edit in fix.edits)


def _kept_fixes(analyzer: IncrementalAnalyzer, source: str) -> list[tuple[Fix, ...] | None]:
    """The fixes the analyzer's fixer builds for each finding of ``source`` that has a recipe."""
    report = analyzer.analyze(source)
    fixer = analyzer.fixer
    assert fixer is not None
    return [fixer(finding.recipe) for finding in report.findings if finding.recipe]


def _eager_fixes(source: str, path: str) -> list[tuple[Fix, ...]]:
    lazy = analyze_source(source, path, fixes=False).findings
    eager = analyze_source(source, path).findings
    return [finding.fixes for finding, computed in zip(eager, lazy) if computed.recipe]


@pytest.mark.parametrize("fixture", WITH_RECIPES, ids=lambda fixture: fixture.id)
def test_the_fixer_an_analysis_keeps_builds_the_eager_fixes_without_analysing_again(fixture: Fixture) -> None:
    analyzer = IncrementalAnalyzer(str(fixture.path), Settings(), fixes=False)
    assert _kept_fixes(analyzer, fixture.source) == _eager_fixes(fixture.source, str(fixture.path))


UNRELATED = "\n\ndef _unrelated_helper_added_below():\n    return 1\n"


@pytest.mark.parametrize("fixture", WITH_RECIPES[:12], ids=lambda fixture: fixture.id)
def test_after_an_edit_the_kept_fixer_or_else_a_recipe_builds_the_fixes_of_a_fresh_analysis(fixture: Fixture) -> None:
    """As the server does: an entry reused from a text whose chunk was parsed again keeps nodes of another
    tree, and the fixer declines (None) rather than build from them; the recipe then analyses afresh."""
    analyzer = IncrementalAnalyzer(str(fixture.path), Settings(), fixes=False)
    analyzer.analyze(fixture.source)
    edited = fixture.source + UNRELATED
    report = analyzer.analyze(edited)
    assert analyzer.reused > 0 and analyzer.fixer is not None
    recipes = [finding.recipe for finding in report.findings if finding.recipe]
    built = [analyzer.fixer(recipe) or fixes_for(edited, recipe, path=str(fixture.path)) for recipe in recipes]
    assert built == _eager_fixes(edited, str(fixture.path))


TWO_HANDLERS = """import threading


def first_handler(event, context):
    threading.Thread(target=print).start()
    return {NUMBER}


def second_handler(event, context):
    worker = threading.Thread(target=print)
    worker.start()
    return 2
"""


def test_an_edit_inside_one_handler_leaves_the_kept_fixes_of_the_other_handler_usable() -> None:
    settings = Settings(handlers=("handlers.py:*_handler",))
    analyzer = IncrementalAnalyzer("handlers.py", settings, fixes=False)
    analyzer.analyze(TWO_HANDLERS.replace("{NUMBER}", "1"))
    edited = TWO_HANDLERS.replace("{NUMBER}", "100")
    report = analyzer.analyze(edited)
    assert analyzer.reused == 1 and analyzer.fixer is not None
    [second] = [finding for finding in report.findings if finding.handler == "second_handler"]
    assert second.recipe is not None
    [eager] = [f for f in analyze_source(edited, "handlers.py", settings).findings if f.handler == "second_handler"]
    assert analyzer.fixer(second.recipe) == eager.fixes and len(eager.fixes) > 1


def test_a_kept_fixer_knows_no_recipe_of_another_text() -> None:
    fixture = WITH_RECIPES[0]
    analyzer = IncrementalAnalyzer(str(fixture.path), Settings(), fixes=False)
    [recipe, *_] = [finding.recipe for finding in analyzer.analyze(fixture.source).findings if finding.recipe]
    analyzer.analyze("\n" + fixture.source)  # every line moved: the old recipe names nothing now
    assert analyzer.fixer is not None and analyzer.fixer(recipe) is None
