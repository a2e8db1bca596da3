"""Fixes on demand: an analysis without fixes carries recipes that rebuild exactly the eager fixes."""

from __future__ import annotations

from dataclasses import replace

import pytest

from leak_lsp.analysis import analyze_source, fixes_for

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
