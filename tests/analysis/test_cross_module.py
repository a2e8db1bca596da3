"""Modules Lambda packages flat (layers, code roots) and classes whose lineage lives in another module."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from leak_lsp.analysis import analyze_file
from leak_lsp.project.workspace import Workspace
from tests.analysis.fixture_corpus import Fixture

PROJECT = Path(__file__).parents[1] / "fixtures" / "projects" / "packaged_layers"
HANDLER = PROJECT / "functions" / "report" / "app.py"


def test_flat_imports_and_foreign_subclasses_match_the_expectations() -> None:
    fixture = Fixture(HANDLER)
    report = analyze_file(HANDLER, workspace=Workspace(PROJECT))
    assert Counter((f.span.start.line + 1, f.code) for f in report.findings) == fixture.expectations


def test_without_the_workspace_the_layer_is_unknown() -> None:
    assert analyze_file(HANDLER).findings == []


def test_a_module_name_shared_by_two_files_is_not_guessed(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "guards.py").write_text("import signal\n\ndef arm():\n    signal.alarm(5)\n")
    (tmp_path / "app.py").write_text("import guards\n\ndef handler(event, context):\n    guards.arm()\n    return 1\n")
    assert analyze_file(tmp_path / "app.py", workspace=Workspace(tmp_path)).findings == []


def test_a_package_of_the_importers_tree_resolves_above_the_workspace_root(tmp_path: Path) -> None:
    package = tmp_path / "vendor_sdk"
    (package / "integrations").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "utils.py").write_text("import threading\n\nclass Watchdog(threading.Thread):\n    pass\n")
    handler = package / "integrations" / "aws.py"
    handler.write_text("from vendor_sdk.utils import Watchdog\n\ndef wrapper(event, context):\n"
                       "    Watchdog().start()\n    return 1\n")
    report = analyze_file(handler, workspace=Workspace(handler.parent))
    assert [(f.span.start.line + 1, f.code) for f in report.findings] == [(4, "EL101")]


BOLT_PROJECT = Path(__file__).parents[1] / "fixtures" / "projects" / "bolt_app_module"


@pytest.mark.parametrize("name", ["handler.py", "threaded_handler.py"])
def test_a_bolt_app_built_in_another_module_is_judged_by_that_module(name: str) -> None:
    handler = BOLT_PROJECT / name
    report = analyze_file(handler, workspace=Workspace(BOLT_PROJECT))
    assert Counter((f.span.start.line + 1, f.code) for f in report.findings) == Fixture(handler).expectations


SHARED_PROJECT = Path(__file__).parents[1] / "fixtures" / "projects" / "shared_receivers"


@pytest.mark.parametrize("name", ["thumbnails.py", "webhook.py", "quiet_webhook.py"])
def test_a_receiver_built_in_another_module_is_a_module_level_receiver(name: str) -> None:
    handler = SHARED_PROJECT / name
    report = analyze_file(handler, workspace=Workspace(SHARED_PROJECT))
    assert Counter((f.span.start.line + 1, f.code) for f in report.findings) == Fixture(handler).expectations


def test_without_the_workspace_an_imported_executor_is_unknown() -> None:
    assert analyze_file(SHARED_PROJECT / "thumbnails.py").findings == []
