"""The fixture corpus is the specification: each file's findings match its `# expect:` lines."""

from __future__ import annotations

import ast
from collections import Counter

import pytest

from leak_lsp.analysis import analyze_file
from leak_lsp.analysis.model import FileReport, Finding
from leak_lsp.rules import all_rules

from .fixture_corpus import Expectation, Fixture, all_fixtures, runnable_fixtures

FIXTURES = all_fixtures()
RUNNABLE = runnable_fixtures()
MINIMUM_RUNNABLE = 12
TOPICS = {
    "threads", "timers", "signals", "executors", "processes", "asyncio", "services", "atexit",
    "handler_shapes", "aliasing", "control_flow", "helpers", "collections", "import_time",
    "handoff", "lookalikes", "noqa",
}


def _found(report: FileReport) -> Counter[Expectation]:
    return Counter((finding.span.start.line + 1, finding.code) for finding in report.findings)


def _describe(fixture: Fixture, line: int, code: str, findings: list[Finding]) -> str:
    text = fixture.lines[line - 1].strip() if 0 < line <= len(fixture.lines) else "<past the end>"
    messages = [finding.message for finding in findings if finding.span.start.line + 1 == line and finding.code == code]
    detail = f"\n        message: {messages[0]}" if messages else ""
    return f"    line {line}: {code}    {text}{detail}"


def _mismatch(fixture: Fixture, report: FileReport) -> str:
    found = _found(report)
    missing = fixture.expectations - found
    unexpected = found - fixture.expectations
    sections = [f"{fixture.id}: findings differ from the `# expect:` lines"]
    if missing:
        sections.append("  expected but missing:")
        sections += [_describe(fixture, line, code, report.findings) for line, code in sorted(missing.elements())]
    if unexpected:
        sections.append("  unexpected:")
        sections += [_describe(fixture, line, code, report.findings) for line, code in sorted(unexpected.elements())]
    return "\n".join(sections)


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda fixture: fixture.id)
def test_findings_match_expectations(fixture: Fixture) -> None:
    report = analyze_file(fixture.path)
    if _found(report) != fixture.expectations:
        pytest.fail(_mismatch(fixture, report), pytrace=False)


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda fixture: fixture.id)
def test_fixture_is_analysed_without_problems(fixture: Fixture) -> None:
    ast.parse(fixture.source, filename=fixture.id)
    report = analyze_file(fixture.path)
    assert report.analysed
    assert [problem.message for problem in report.problems] == []


def test_corpus_is_not_empty() -> None:
    assert len(FIXTURES) >= 40
    assert sum(sum(fixture.expectations.values()) for fixture in FIXTURES) >= 100


def test_corpus_covers_every_topic() -> None:
    topics = {fixture.id.split("/")[0] for fixture in FIXTURES}
    assert TOPICS <= topics, TOPICS - topics


@pytest.mark.parametrize("code", [rule.code for rule in all_rules()])
def test_every_rule_is_specified_by_a_fixture(code: str) -> None:
    from javascript.corpus import all_fixtures as javascript_fixtures  # the Node-only rules live there

    corpus = [*FIXTURES, *javascript_fixtures()]
    expecting = [fixture.id for fixture in corpus if any(expected == code for _, expected in fixture.expectations)]
    assert expecting, f"no fixture expects {code}: add a leaking case under tests/fixtures/analysis/ (or javascript/)"


def test_runnable_fixtures_include_leaking_and_clean_ones() -> None:
    leaking = [fixture.id for fixture in RUNNABLE if fixture.expectations]
    clean = [fixture.id for fixture in RUNNABLE if not fixture.expectations]
    assert len(RUNNABLE) >= MINIMUM_RUNNABLE
    assert leaking and clean


@pytest.mark.parametrize("fixture", RUNNABLE, ids=lambda fixture: fixture.id)
def test_runnable_fixture_names_its_only_handler(fixture: Fixture) -> None:
    report = analyze_file(fixture.path)
    assert [handler.name for handler in report.handlers] == [fixture.reproduce_handler]
