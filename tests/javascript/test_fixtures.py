"""The JavaScript/TypeScript corpus is the specification: findings match the `expect:` lines."""

from __future__ import annotations

from collections import Counter

import pytest

from leak_lsp.analysis import analyze_file
from leak_lsp.analysis.config import load_settings
from leak_lsp.analysis.model import FileReport
from leak_lsp.project.workspace import Workspace

from .corpus import Expectation, Fixture, all_fixtures

FIXTURES = all_fixtures()
TOPICS = {"timers", "promises", "processes", "telemetry", "callbacks", "gcp", "azure", "shapes", "typescript",
          "control_flow", "helpers", "lookalikes", "runtimes"}
DEPLOYMENT_FILES = ("template.yaml", "serverless.yml", "cdk.json")


def _found(report: FileReport) -> Counter[Expectation]:
    return Counter((finding.span.start.line + 1, finding.code) for finding in report.findings)


def _mismatch(fixture: Fixture, report: FileReport) -> str:
    found = _found(report)
    lines = [f"{fixture.id}: findings differ from the `expect:` lines"]
    for title, items in (("expected but missing", fixture.expectations - found), ("unexpected", found - fixture.expectations)):
        if items:
            lines.append(f"  {title}:")
            for line, code in sorted(items.elements()):
                messages = [f.message for f in report.findings if f.span.start.line + 1 == line and f.code == code]
                lines.append(f"    line {line}: {code}  {fixture.lines[line - 1].strip()}  {messages[:1]}")
    return "\n".join(lines)


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda fixture: fixture.id)
def test_findings_match_expectations(fixture: Fixture) -> None:
    report = analyze_file(fixture.path, load_settings(fixture.path), _deployment(fixture))
    if _found(report) != fixture.expectations:
        pytest.fail(_mismatch(fixture, report), pytrace=False)


def _deployment(fixture: Fixture) -> Workspace | None:
    """The fixture's folder (or its parent, for a CDK app's code folder) as the project when a deployment
    file there names its runtime (runtimes/)."""
    for folder in (fixture.path.parent, fixture.path.parent.parent):
        if any((folder / name).is_file() for name in DEPLOYMENT_FILES):
            return Workspace(folder, find_deployments=True)
    return None


def test_every_topic_has_fixtures() -> None:
    topics = {fixture.id.split("/")[0] for fixture in FIXTURES}
    assert TOPICS <= topics


def test_the_corpus_has_leaking_and_settled_forms() -> None:
    leaking = [fixture for fixture in FIXTURES if fixture.expectations]
    settled = [fixture for fixture in FIXTURES if not fixture.expectations]
    assert len(leaking) >= 30 and len(settled) >= 8
