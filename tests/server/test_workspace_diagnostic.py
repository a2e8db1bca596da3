"""workspace/diagnostic lists the handler files of the workspace, with progress."""

from __future__ import annotations

import asyncio
from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient

from leak_lsp.server.handlers.workspace_diagnostic import HELD

from .editor import TIMEOUT, Editor
from .test_diagnostics import leaking_handler


async def test_the_workspace_report_lists_handler_files_only_and_reports_progress(tmp_path: Path, lsp_pulling: LanguageClient, pulling_editor: Editor) -> None:
    (tmp_path / "handler.py").write_text(leaking_handler(), encoding="utf-8")
    (tmp_path / "util.py").write_text("def helper():\n    return 1\n", encoding="utf-8")
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "vendored.py").write_text(leaking_handler(), encoding="utf-8")
    params = types.WorkspaceDiagnosticParams(previous_result_ids=[], work_done_token="workspace-check")
    lsp_pulling.progress_reports["workspace-check"] = []
    report = await lsp_pulling.workspace_diagnostic_async(params)
    assert [(item.uri, [d.code for d in item.items]) for item in report.items] == [((tmp_path / "handler.py").as_uri(), ["EL101"])]
    kinds = [type(value).__name__ for value in lsp_pulling.progress_reports["workspace-check"]]
    assert kinds[0] == "WorkDoneProgressBegin" and kinds[-1] == "WorkDoneProgressEnd"


async def test_an_open_document_is_reported_from_the_editor_text_with_its_version(tmp_path: Path, lsp_pulling: LanguageClient, pulling_editor: Editor) -> None:
    path = tmp_path / "handler.py"
    path.write_text("def lambda_handler(event, context):\n    return 1\n", encoding="utf-8")
    pulling_editor.open(path.as_uri(), leaking_handler())
    report = await lsp_pulling.workspace_diagnostic_async(types.WorkspaceDiagnosticParams(previous_result_ids=[]))
    [item] = report.items
    assert (item.version, [d.code for d in item.items]) == (1, ["EL101"])  # type: ignore[union-attr]


def previous_ids(report: types.WorkspaceDiagnosticReport) -> list[types.PreviousResultId]:
    return [types.PreviousResultId(uri=item.uri, value=item.result_id) for item in report.items if item.result_id is not None]


async def held_pull(client: LanguageClient, previous: list[types.PreviousResultId]) -> asyncio.Task[types.WorkspaceDiagnosticReport]:
    """A pull sent with the client's previous results; returns once the server says it holds it."""
    held = sum(message.message == HELD for message in client.log_messages)
    task = asyncio.ensure_future(client.workspace_diagnostic_async(types.WorkspaceDiagnosticParams(previous_result_ids=previous)))
    while sum(message.message == HELD for message in client.log_messages) == held:
        assert not task.done(), "answered although nothing changed"
        await asyncio.sleep(0.01)
    return task


def watched_change(client: LanguageClient, path: Path, kind: types.FileChangeType = types.FileChangeType.Changed) -> None:
    change = types.FileEvent(uri=path.as_uri(), type=kind)
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[change]))


async def test_a_pull_with_nothing_changed_is_held_until_a_file_changes(tmp_path: Path, lsp_pulling: LanguageClient, pulling_editor: Editor) -> None:
    handler = tmp_path / "handler.py"
    handler.write_text(leaking_handler(), encoding="utf-8")
    first = await lsp_pulling.workspace_diagnostic_async(types.WorkspaceDiagnosticParams(previous_result_ids=[]))
    task = await held_pull(lsp_pulling, previous_ids(first))
    assert not task.done()
    other = tmp_path / "other.py"
    other.write_text(leaking_handler(), encoding="utf-8")
    watched_change(lsp_pulling, other, types.FileChangeType.Created)
    report = await asyncio.wait_for(task, TIMEOUT)
    kinds = {item.uri: type(item).__name__ for item in report.items}
    assert kinds == {handler.as_uri(): "WorkspaceUnchangedDocumentDiagnosticReport", other.as_uri(): "WorkspaceFullDocumentDiagnosticReport"}


async def test_an_unchanged_file_is_answered_without_being_analysed_again(tmp_path: Path, lsp_pulling: LanguageClient, pulling_editor: Editor) -> None:
    (tmp_path / "handler.py").write_text(leaking_handler(), encoding="utf-8")
    (tmp_path / "second.py").write_text(leaking_handler(), encoding="utf-8")
    lsp_pulling.progress_reports["first"] = []
    first = await lsp_pulling.workspace_diagnostic_async(types.WorkspaceDiagnosticParams(previous_result_ids=[], work_done_token="first"))
    (tmp_path / "second.py").write_text("\n" + leaking_handler(), encoding="utf-8")  # its finding moves down a line
    watched_change(lsp_pulling, tmp_path / "second.py")
    lsp_pulling.progress_reports["again"] = []
    params = types.WorkspaceDiagnosticParams(previous_result_ids=previous_ids(first), work_done_token="again")
    await asyncio.wait_for(lsp_pulling.workspace_diagnostic_async(params), TIMEOUT)
    [done] = [value for value in lsp_pulling.progress_reports["again"] if isinstance(value, types.WorkDoneProgressEnd)]
    assert done.message == "1 handler files analysed"  # second.py only; handler.py came from the cache


async def test_a_file_that_no_longer_has_findings_gets_an_empty_report(tmp_path: Path, lsp_pulling: LanguageClient, pulling_editor: Editor) -> None:
    handler = tmp_path / "handler.py"
    handler.write_text(leaking_handler(), encoding="utf-8")
    first = await lsp_pulling.workspace_diagnostic_async(types.WorkspaceDiagnosticParams(previous_result_ids=[]))
    handler.unlink()
    watched_change(lsp_pulling, handler, types.FileChangeType.Deleted)
    report = await lsp_pulling.workspace_diagnostic_async(types.WorkspaceDiagnosticParams(previous_result_ids=previous_ids(first)))
    assert [(item.uri, list(item.items)) for item in report.items] == [(handler.as_uri(), [])]  # type: ignore[union-attr]
