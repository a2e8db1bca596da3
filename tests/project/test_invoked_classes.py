"""Methods of classes that a handler module in another file uses are per-invocation code (issue 9, family 1)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from leak_lsp.analysis import analyze_file
from leak_lsp.project.workspace import Workspace
from tests.analysis.fixture_corpus import Fixture

PROJECT = Path(__file__).parents[1] / "fixtures" / "projects" / "invoked_classes"


@pytest.fixture(scope="module")
def workspace() -> Workspace:
    return Workspace(PROJECT, find_deployments=True)


def test_findings_match_the_inline_expectations(workspace: Workspace) -> None:
    fixture = Fixture(PROJECT / "workers" / "renderer.py")
    report = analyze_file(fixture.path, workspace=workspace)
    assert Counter((f.span.start.line + 1, f.code) for f in report.findings) == fixture.expectations


def test_only_the_methods_the_handler_module_calls_are_entries(workspace: Workspace) -> None:
    invoked = workspace.invoked_methods(PROJECT / "workers" / "renderer.py")
    assert sorted(i.pattern for i in invoked) == ["Renderer.render", "Renderer.render_and_quit", "Renderer.upload_later"]
    assert {i.handler_module.name for i in invoked} == {"app.py"}


def test_a_leak_there_is_at_most_a_warning_as_the_code_is_not_a_proven_handler(workspace: Workspace) -> None:
    report = analyze_file(PROJECT / "workers" / "renderer.py", workspace=workspace)
    thread = next(f for f in report.findings if f.code == "EL101")  # an error in a handler
    assert thread.severity.name == "WARNING"


def test_without_a_workspace_the_module_has_no_entries() -> None:
    assert analyze_file(PROJECT / "workers" / "renderer.py").findings == []


def test_an_edited_handler_module_changes_the_invoked_methods(tmp_path: Path) -> None:
    for name in ("app.py", "workers/__init__.py", "workers/renderer.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text((PROJECT / name).read_text())
    texts: dict[str, str] = {}

    def read(path: Path) -> str | None:
        return texts.get(path.name) or path.read_text()

    workspace = Workspace(tmp_path, read_text=read, find_deployments=True)
    renderer = tmp_path / "workers" / "renderer.py"
    assert len(workspace.invoked_methods(renderer)) == 3
    texts["app.py"] = "from workers import Renderer\n\ndef handler(event, context):\n    return Renderer().render(event)\n"
    workspace.invalidate(tmp_path / "app.py")
    assert [i.pattern for i in workspace.invoked_methods(renderer)] == ["Renderer.render"]
