"""Flat imports resolve where the platform packages them: code roots and layers named by deployment files."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from leak_lsp.analysis import analyze_file
from leak_lsp.project.deployment import scan_layer_folders
from leak_lsp.project.workspace import Workspace
from tests.analysis.fixture_corpus import Fixture

PROJECT = Path(__file__).parents[1] / "fixtures" / "projects" / "code_roots"


@pytest.fixture(scope="module")
def workspace() -> Workspace:
    return Workspace(PROJECT, find_deployments=True)


@pytest.mark.parametrize("name", ["functions/orders/handlers/app.py", "functions/users/app.py"])
def test_findings_match_the_inline_expectations(workspace: Workspace, name: str) -> None:
    fixture = Fixture(PROJECT / name)
    report = analyze_file(fixture.path, workspace=workspace)
    assert Counter((f.span.start.line + 1, f.code) for f in report.findings) == fixture.expectations


def test_a_flat_import_prefers_the_code_root_over_a_same_named_module_at_the_root(workspace: Workspace) -> None:
    importer = str(PROJECT / "functions" / "orders" / "handlers" / "app.py")
    assert workspace.module_path("storage", importer) == (PROJECT / "functions" / "orders" / "storage.py").resolve()


def test_a_flat_import_finds_the_layer_module_among_same_named_ones(workspace: Workspace) -> None:
    importer = str(PROJECT / "functions" / "users" / "app.py")
    assert workspace.module_path("watchdog", importer) == (PROJECT / "layers" / "shared" / "python" / "watchdog.py").resolve()


def test_sam_layers_are_read_from_content_uri() -> None:
    assert scan_layer_folders(PROJECT) == [(PROJECT / "layers" / "shared" / "python").resolve()]


def test_serverless_layers_are_read_from_their_path(tmp_path: Path) -> None:
    (tmp_path / "serverless.yml").write_text(
        "service: s\nprovider:\n  name: aws\n  runtime: python3.12\n"
        "layers:\n  common:\n    path: layers/common\n  computed:\n    path: ${self:custom.layer}\n"
    )
    (tmp_path / "layers" / "common" / "python").mkdir(parents=True)
    assert scan_layer_folders(tmp_path) == [(tmp_path / "layers" / "common" / "python").resolve()]


def test_a_layer_without_a_python_folder_adds_nothing(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(
        "Resources:\n  L:\n    Type: AWS::Serverless::LayerVersion\n    Properties:\n      ContentUri: nodejs/\n"
    )
    (tmp_path / "nodejs").mkdir()
    assert scan_layer_folders(tmp_path) == []
