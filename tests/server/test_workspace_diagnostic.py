"""workspace/diagnostic lists the handler files of the workspace, with progress."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient

from .editor import Editor
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


async def test_an_unchanged_file_is_reported_unchanged_for_its_previous_result_id(tmp_path: Path, lsp_pulling: LanguageClient, pulling_editor: Editor) -> None:
    (tmp_path / "handler.py").write_text(leaking_handler(), encoding="utf-8")
    [first] = (await lsp_pulling.workspace_diagnostic_async(types.WorkspaceDiagnosticParams(previous_result_ids=[]))).items
    previous = [types.PreviousResultId(uri=first.uri, value=first.result_id)]  # type: ignore[arg-type]
    [again] = (await lsp_pulling.workspace_diagnostic_async(types.WorkspaceDiagnosticParams(previous_result_ids=previous))).items
    assert isinstance(again, types.WorkspaceUnchangedDocumentDiagnosticReport) and again.result_id == first.result_id
