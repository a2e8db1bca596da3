"""Settings from pyproject.toml and from the client reach the diagnostics."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from .editor import Editor
from .test_diagnostics import leaking_handler


def _handler_file(root: Path) -> str:
    path = root / "handler.py"
    path.write_text(leaking_handler(), encoding="utf-8")
    return path.as_uri()


async def _codes(editor: Editor, uri: str) -> list[str]:
    return [str(diagnostic.code) for diagnostic in await editor.diagnostics(uri)]


@pytest.fixture
def ignoring_project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text('[tool.leak-lsp]\nignore = ["EL101"]\n', encoding="utf-8")
    return tmp_path


async def test_an_ignore_in_pyproject_removes_the_diagnostic(ignoring_project: Path, editor: Editor) -> None:
    uri = _handler_file(ignoring_project)
    editor.open(uri, leaking_handler())
    assert await _codes(editor, uri) == []


async def test_a_severity_in_pyproject_changes_the_diagnostic_severity(tmp_path: Path, editor: Editor) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.leak-lsp.severity]\nEL101 = "hint"\n', encoding="utf-8")
    uri = _handler_file(tmp_path)
    editor.open(uri, leaking_handler())
    [diagnostic] = await editor.diagnostics(uri)
    assert diagnostic.severity == types.DiagnosticSeverity.Hint


@pytest.mark.client_settings({"ignore": ["EL101"]})
async def test_an_ignore_in_the_client_configuration_removes_the_diagnostic(tmp_path: Path, editor: Editor) -> None:
    uri = _handler_file(tmp_path)
    editor.open(uri, leaking_handler())
    assert await _codes(editor, uri) == []


@pytest.mark.initialization_options({"settings": {"ignore": ["EL101"]}})
async def test_an_ignore_in_the_initialization_options_removes_the_diagnostic(tmp_path: Path, editor: Editor) -> None:
    uri = _handler_file(tmp_path)
    editor.open(uri, leaking_handler())
    assert await _codes(editor, uri) == []


@pytest.mark.client_settings({"select": ["EL"]})
async def test_client_settings_override_pyproject(ignoring_project: Path, editor: Editor) -> None:
    """``select`` from the client starts afresh (pyproject's ignores go); an ``ignore`` adds to pyproject's."""
    uri = _handler_file(ignoring_project)
    editor.open(uri, leaking_handler())
    assert await _codes(editor, uri) == ["EL101"]
    editor.client.set_configuration({"ignore": []}, section="leakLsp")
    editor.client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    editor.replace(uri, 0, 0, "\n")  # a pulling client without refresh support pulls at the next edit
    assert await _codes(editor, uri) == []


async def test_did_change_configuration_with_settings_applies_them(tmp_path: Path, editor: Editor) -> None:
    uri = _handler_file(tmp_path)
    editor.open(uri, leaking_handler())
    assert await _codes(editor, uri) == ["EL101"]
    settings = {"leakLsp": {"ignore": ["EL101"]}}
    editor.client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=settings))
    editor.replace(uri, 0, 0, "\n")
    assert await _codes(editor, uri) == []


async def test_a_pyproject_change_reported_by_the_watcher_is_picked_up(tmp_path: Path, editor: Editor) -> None:
    uri = _handler_file(tmp_path)
    editor.open(uri, leaking_handler())
    assert await _codes(editor, uri) == ["EL101"]
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[tool.leak-lsp]\nignore = ["EL101"]\n', encoding="utf-8")
    change = types.FileEvent(uri=pyproject.as_uri(), type=types.FileChangeType.Created)
    editor.client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[change]))
    editor.replace(uri, 0, 0, "\n")
    assert await _codes(editor, uri) == []


async def test_the_server_registers_a_pyproject_watcher_when_the_client_allows_it(lsp: LanguageClient, editor: Editor) -> None:
    dynamic = lsp.capabilities.workspace.did_change_watched_files.dynamic_registration  # type: ignore[union-attr]
    uri = _handler_file(Path("/tmp"))  # any request after `initialized` orders us after the registration
    editor.open(uri, leaking_handler())
    await editor.diagnostics(uri)
    registered = [r.method for r in lsp.registrations]  # type: ignore[attr-defined]
    assert registered == ([types.WORKSPACE_DID_CHANGE_WATCHED_FILES] if dynamic else [])


async def test_a_malformed_pyproject_is_reported_once_and_the_defaults_apply(tmp_path: Path, lsp: LanguageClient, editor: Editor) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.leak-lsp]\nignore = 3\n", encoding="utf-8")
    uri = _handler_file(tmp_path)
    editor.open(uri, leaking_handler())
    assert await _codes(editor, uri) == ["EL101"]
    editor.replace(uri, 0, 0, "\n")
    await editor.diagnostics(uri)
    await asyncio.sleep(0.1)
    warnings = [message for message in lsp.messages if "pyproject.toml" in message.message]
    assert len(warnings) == 1 and warnings[0].type == types.MessageType.Warning
