"""Helpers in other modules of the workspace, resolved statically with jedi."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from leak_lsp.analysis import analyze_file, analyze_source
from leak_lsp.analysis.model import RelatedRole
from leak_lsp.project.workspace import Workspace
from tests.analysis.fixture_corpus import Fixture

PROJECT = Path(__file__).parents[1] / "fixtures" / "projects" / "helpers"
HANDLER_FILES = ["app.py", "pkg/handler.py"]


@pytest.fixture(scope="module")
def workspace() -> Workspace:
    return Workspace(PROJECT)


@pytest.mark.parametrize("name", HANDLER_FILES)
def test_findings_match_the_inline_expectations(workspace: Workspace, name: str) -> None:
    fixture = Fixture(PROJECT / name)
    report = analyze_file(fixture.path, workspace=workspace)
    assert Counter((f.span.start.line + 1, f.code) for f in report.findings) == fixture.expectations


def test_without_a_workspace_other_modules_are_unknown() -> None:
    report = analyze_file(PROJECT / "app.py")
    assert report.findings == []


def test_the_chain_points_into_each_module(workspace: Workspace) -> None:
    report = analyze_file(PROJECT / "app.py", workspace=workspace)
    two_away = next(f for f in report.findings if f.code == "EL102")
    chain = [(Path(r.path).name, r.span.start.line + 1) for r in two_away.related if r.role is RelatedRole.HELPER_STEP]
    deep = (PROJECT / "lib" / "deep.py").read_text().splitlines()
    timer_line = next(number for number, line in enumerate(deep, 1) if "Timer(" in line)
    assert chain[0][0] == "telemetry.py"
    assert chain[1] == ("deep.py", timer_line)


def test_dependencies_name_the_modules_consulted(workspace: Workspace) -> None:
    report = analyze_file(PROJECT / "app.py", workspace=workspace)
    assert {Path(p).name for p in report.dependencies} >= {"telemetry.py", "deep.py"}


def test_an_edited_helper_changes_the_handler_findings(tmp_path: Path) -> None:
    (tmp_path / "helper.py").write_text("import threading\n\ndef start():\n    threading.Thread(target=print).start()\n")
    handler = "from helper import start\n\ndef handler(event, context):\n    start()\n    return 1\n"
    texts = {}

    def read(path: Path) -> str | None:
        return texts.get(path.name) or path.read_text()

    workspace = Workspace(tmp_path, read_text=read)
    assert [f.code for f in analyze_source(handler, str(tmp_path / "app.py"), workspace=workspace).findings] == ["EL101"]
    texts["helper.py"] = "import threading\n\ndef start():\n    t = threading.Thread(target=print)\n    t.start()\n    t.join()\n"
    assert analyze_source(handler, str(tmp_path / "app.py"), workspace=workspace).findings == []


def test_third_party_and_stdlib_calls_are_not_followed(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path)
    assert not workspace.is_workspace_module("json", str(tmp_path / "app.py"))
    assert not workspace.is_workspace_module("requests.adapters", str(tmp_path / "app.py"))


def test_invalidating_a_module_refreshes_the_helpers_built_on_it(tmp_path: Path) -> None:
    (tmp_path / "base.py").write_text("import threading\n\ndef start():\n    threading.Thread(target=print).start()\n")
    (tmp_path / "middle.py").write_text("from base import start\n\ndef run():\n    start()\n")
    handler = "from middle import run\n\ndef handler(event, context):\n    run()\n    return 1\n"
    workspace = Workspace(tmp_path)
    assert [f.code for f in analyze_source(handler, str(tmp_path / "app.py"), workspace=workspace).findings] == ["EL101"]
    (tmp_path / "base.py").write_text("def start():\n    pass\n")
    workspace.invalidate(tmp_path / "base.py")
    assert analyze_source(handler, str(tmp_path / "app.py"), workspace=workspace).findings == []


def test_a_loose_folder_is_not_scanned_for_deployment_files(tmp_path: Path) -> None:
    (tmp_path / "deep" / "service").mkdir(parents=True)
    (tmp_path / "deep" / "service" / "serverless.yml").write_text("functions:\n  f:\n    handler: app.handler\n")
    (tmp_path / "deep" / "service" / "app.py").write_text("def handler(event, context):\n    return 1\n")
    assert Workspace(tmp_path).deployments() == ([], [])
    assert [h.function for h in Workspace(tmp_path, find_deployments=True).deployments()[0]] == ["handler"]


def test_a_symlink_loop_named_like_a_module_does_not_stop_the_lookup(tmp_path: Path) -> None:
    """An unresolved import falls back to the project's modules by name; a loop among them is skipped."""
    (tmp_path / "loop1.py").symlink_to(tmp_path / "loop2.py")
    (tmp_path / "loop2.py").symlink_to(tmp_path / "loop1.py")
    handler = tmp_path / "handler.py"
    handler.write_text(
        "import threading\nimport not_here\n\ndef lambda_handler(event, context):\n"
        "    worker = threading.Thread(target=print)\n    worker.start()\n    not_here.go()\n    return {}\n"
    )
    report = analyze_file(handler, workspace=Workspace(tmp_path))
    assert (report.problems, [finding.code for finding in report.findings]) == ([], ["EL101"])


def test_analyses_running_at_once_each_follow_the_whole_helper_chain(tmp_path: Path) -> None:
    (tmp_path / "one.py").write_text("from two import two\n\ndef one():\n    two()\n")
    (tmp_path / "two.py").write_text("from three import three\n\ndef two():\n    three()\n")
    (tmp_path / "three.py").write_text("import threading\n\ndef three():\n    threading.Thread(target=print).start()\n")
    handlers = [tmp_path / f"handler_{n}.py" for n in range(6)]
    for handler in handlers:
        handler.write_text("from one import one\n\ndef handler(event, context):\n    one()\n    return 1\n")
    for _ in range(3):  # a fresh workspace each round: no summary is cached before the threads race
        workspace = Workspace(tmp_path)
        start = threading.Barrier(len(handlers))

        def codes(path: Path, workspace: Workspace = workspace, start: threading.Barrier = start) -> list[str]:
            start.wait()
            return [finding.code for finding in analyze_file(path, workspace=workspace).findings]

        with ThreadPoolExecutor(len(handlers)) as pool:
            assert list(pool.map(codes, handlers)) == [["EL101"]] * len(handlers)
