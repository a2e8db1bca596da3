"""Each document's project is found from the file upwards, as ``check`` finds it: an
editor opened on a sub-folder of a project, or on a folder holding several projects,
shows what ``leak-lsp check`` shows from each project's root."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient

from .conftest import CONFIG, PROFILES, start_editor
from .editor import Editor, position_at

PROJECTS = Path(__file__).parents[1] / "fixtures" / "projects"
SUBFOLDER = "orders"  # the folder the editor opens, one level below pyproject.toml and template.yaml


def check_findings(root: Path) -> dict[Path, set[tuple[str, int, int]]]:
    """``leak-lsp check --format json`` run from the project root: (code, 0-based line, column) per file."""
    run = subprocess.run([sys.executable, "-m", "leak_lsp", "check", "--format", "json", "."], cwd=root, capture_output=True, text=True, check=False)
    assert run.returncode in (0, 1), run.stderr
    found: dict[Path, set[tuple[str, int, int]]] = {}
    for item in json.loads(run.stdout):
        found.setdefault(Path(item["filename"]), set()).add((item["code"], item["location"]["row"] - 1, item["location"]["column"] - 1))
    return found


def shown(diagnostics: list[types.Diagnostic]) -> set[tuple[str, int, int]]:
    return {(str(d.code), d.range.start.line, d.range.start.character) for d in diagnostics if str(d.code).startswith("EL")}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "service"
    shutil.copytree(PROJECTS / "subfolder", root)
    return root


@pytest_lsp.fixture(config=CONFIG, params=PROFILES)
async def subfolder_client(lsp_client: LanguageClient, request: pytest.FixtureRequest, project: Path) -> AsyncIterator[LanguageClient]:
    """A client whose only workspace folder is ``orders/``, inside the project."""
    lsp_client.editor = await start_editor(lsp_client, request.param, project / SUBFOLDER)  # type: ignore[attr-defined]
    yield lsp_client
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=CONFIG, params=PROFILES)
async def two_projects_client(lsp_client: LanguageClient, request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[LanguageClient]:
    """A client opened on a folder holding two projects, each with its own template."""
    for name in ("billing", "shipping"):
        shutil.copytree(PROJECTS / "subfolder", tmp_path / name)
    lsp_client.editor = await start_editor(lsp_client, request.param, tmp_path)  # type: ignore[attr-defined]
    yield lsp_client
    await lsp_client.shutdown_session()


@pytest.fixture
def subfolder_editor(subfolder_client: LanguageClient) -> Editor:
    return subfolder_client.editor  # type: ignore[attr-defined,no-any-return]


@pytest.fixture
def two_projects_editor(two_projects_client: LanguageClient) -> Editor:
    return two_projects_client.editor  # type: ignore[attr-defined,no-any-return]


async def test_a_subfolder_workspace_shows_what_check_shows_from_the_project_root(project: Path, subfolder_editor: Editor) -> None:
    handler = project / SUBFOLDER / "app.py"
    expected = check_findings(project)[handler.resolve()]
    assert expected  # the template one level up names the handler; its leak is in ../common
    subfolder_editor.open(handler.as_uri(), handler.read_text(encoding="utf-8"))
    assert shown(await subfolder_editor.diagnostics(handler.as_uri())) == expected


async def test_each_project_in_one_workspace_folder_uses_its_own_template(tmp_path: Path, two_projects_editor: Editor) -> None:
    handler = tmp_path / "shipping" / SUBFOLDER / "app.py"
    text = handler.read_text(encoding="utf-8")
    (tmp_path / "billing" / "template.yaml").unlink()  # the other project no longer names its handler
    expected = check_findings(tmp_path / "shipping")[handler.resolve()]
    two_projects_editor.open(handler.as_uri(), text)
    assert shown(await two_projects_editor.diagnostics(handler.as_uri())) == expected
    other = tmp_path / "billing" / SUBFOLDER / "app.py"
    two_projects_editor.open(other.as_uri(), other.read_text(encoding="utf-8"))
    assert shown(await two_projects_editor.diagnostics(other.as_uri())) == set()


async def test_hover_on_an_entry_point_says_which_project_it_belongs_to(project: Path, subfolder_editor: Editor) -> None:
    handler = project / SUBFOLDER / "app.py"
    text = handler.read_text(encoding="utf-8")
    subfolder_editor.open(handler.as_uri(), text)
    position = position_at(text, text.index("def process_order") + len("def "), subfolder_editor.encoding)
    params = types.HoverParams(text_document=types.TextDocumentIdentifier(uri=handler.as_uri()), position=position)
    hover = await subfolder_editor.client.text_document_hover_async(params)
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert f"Project: {project.resolve()} (pyproject.toml)" in hover.contents.value
    assert "template.yaml line 10" in hover.contents.value
