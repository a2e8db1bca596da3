"""Project awareness over LSP: helpers in other modules and deployment files keep the
editor's diagnostics right; hover shows the chain to a helper's line; code lenses above
entry points. Each test copies a project from tests/fixtures/projects into the
workspace folder (``tmp_path``)."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from leak_lsp.rules import rule_page

from .editor import Editor, position_at, range_of

PROJECTS = Path(__file__).parents[1] / "fixtures" / "projects"
FLUSHER_STARTED = "    flusher.start()\n"  # first in start_flusher(), in utils/telemetry.py
LEAKING_CALL = "start_flusher()  # expect: EL101"  # the call in app.py's `leaking` handler
MISSING_HANDLER = "app.process_refund"  # named in sam/template.yaml; src/app.py has no such function
PLAIN_LEAK = "\n\ndef refund(order):\n    threading.Thread(target=print).start()\n"


@pytest.fixture
def helpers_project(tmp_path: Path) -> Path:
    shutil.copytree(PROJECTS / "helpers", tmp_path, dirs_exist_ok=True)
    return tmp_path


@pytest.fixture
def sam_project(tmp_path: Path) -> Path:
    shutil.copytree(PROJECTS / "sam", tmp_path, dirs_exist_ok=True)
    return tmp_path


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n")


def flagged_lines(diagnostics: list[types.Diagnostic]) -> set[int]:
    return {diagnostic.range.start.line for diagnostic in diagnostics if str(diagnostic.code).startswith("EL")}


def open_file(editor: Editor, path: Path, language_id: str = "python") -> tuple[str, str]:
    text = path.read_text(encoding="utf-8")
    editor.open(path.as_uri(), text, language_id)
    return path.as_uri(), text


# -- a helper module changes --------------------------------------------------------------


async def test_a_helper_edit_in_the_editor_refreshes_the_handler_diagnostics(helpers_project: Path, editor: Editor) -> None:
    app_uri, app_text = open_file(editor, helpers_project / "app.py")
    leak_line = line_of(app_text, LEAKING_CALL)
    assert leak_line in flagged_lines(await editor.diagnostics(app_uri))
    helper_uri, helper_text = open_file(editor, helpers_project / "utils" / "telemetry.py")
    after_start = helper_text.index(FLUSHER_STARTED) + len(FLUSHER_STARTED)
    editor.replace(helper_uri, after_start, after_start, "    flusher.join()\n")  # unsaved
    await editor.eventually(app_uri, lambda diagnostics: leak_line not in flagged_lines(diagnostics))


async def test_a_helper_changed_on_disk_refreshes_the_handler_diagnostics(helpers_project: Path, editor: Editor) -> None:
    app_uri, app_text = open_file(editor, helpers_project / "app.py")
    leak_line = line_of(app_text, LEAKING_CALL)
    assert leak_line in flagged_lines(await editor.diagnostics(app_uri))
    helper = helpers_project / "utils" / "telemetry.py"
    helper.write_text(helper.read_text(encoding="utf-8").replace(FLUSHER_STARTED, FLUSHER_STARTED + "    flusher.join()\n", 1), encoding="utf-8")
    change = types.FileEvent(uri=helper.as_uri(), type=types.FileChangeType.Changed)
    editor.client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[change]))
    await editor.eventually(app_uri, lambda diagnostics: leak_line not in flagged_lines(diagnostics))


async def test_a_handler_diagnostic_points_at_the_scheduling_line_in_the_helper(helpers_project: Path, editor: Editor) -> None:
    app_uri, app_text = open_file(editor, helpers_project / "app.py")
    helper = helpers_project / "utils" / "telemetry.py"
    diagnostics = await editor.diagnostics(app_uri)
    [leak] = [diagnostic for diagnostic in diagnostics if diagnostic.range.start.line == line_of(app_text, LEAKING_CALL)]
    helper_locations = [(item.location.uri, item.location.range.start.line) for item in leak.related_information or []]
    assert (helper.as_uri(), line_of(helper.read_text(encoding="utf-8"), FLUSHER_STARTED)) in helper_locations


async def test_a_pulling_client_with_refresh_support_is_asked_to_pull_after_a_helper_edit(
    helpers_project: Path, lsp_pulling_with_refresh: LanguageClient
) -> None:
    editor: Editor = lsp_pulling_with_refresh.editor  # type: ignore[attr-defined]
    app_uri, _ = open_file(editor, helpers_project / "app.py")
    await editor.diagnostics(app_uri)
    helper_uri, helper_text = open_file(editor, helpers_project / "utils" / "telemetry.py")
    await editor.diagnostics(helper_uri)
    refreshes = lsp_pulling_with_refresh.diagnostic_refresh_count
    after_start = helper_text.index(FLUSHER_STARTED) + len(FLUSHER_STARTED)
    editor.replace(helper_uri, after_start, after_start, "    flusher.join()\n")
    await editor.eventually(app_uri, lambda _: lsp_pulling_with_refresh.diagnostic_refresh_count > refreshes)


async def test_a_pulling_client_without_refresh_support_gets_a_handler_refresh_pushed_after_a_helper_edit(
    helpers_project: Path, lsp_neovim_without_refresh: LanguageClient
) -> None:
    editor: Editor = lsp_neovim_without_refresh.editor  # type: ignore[attr-defined]
    assert not editor.pulls  # no diagnosticProvider: Neovim 0.11 could not be asked to pull again
    app_uri, app_text = open_file(editor, helpers_project / "app.py")
    leak_line = line_of(app_text, LEAKING_CALL)
    assert leak_line in flagged_lines(await editor.diagnostics(app_uri))
    helper_uri, helper_text = open_file(editor, helpers_project / "utils" / "telemetry.py")
    after_start = helper_text.index(FLUSHER_STARTED) + len(FLUSHER_STARTED)
    editor.replace(helper_uri, after_start, after_start, "    flusher.join()\n")
    await editor.eventually(app_uri, lambda diagnostics: leak_line not in flagged_lines(diagnostics))


async def test_a_pulling_client_without_refresh_support_gets_a_template_change_pushed(
    sam_project: Path, lsp_neovim_without_refresh: LanguageClient
) -> None:
    editor: Editor = lsp_neovim_without_refresh.editor  # type: ignore[attr-defined]
    assert not editor.pulls
    module = sam_project / "src" / "app.py"
    module.write_text("import threading\n" + module.read_text(encoding="utf-8") + PLAIN_LEAK, encoding="utf-8")
    app_uri, app_text = open_file(editor, module)
    leak_line = line_of(app_text, "threading.Thread(target=print).start()")
    assert leak_line not in flagged_lines(await editor.diagnostics(app_uri))
    template = sam_project / "template.yaml"
    template.write_text(template.read_text(encoding="utf-8").replace(MISSING_HANDLER, "app.refund"), encoding="utf-8")
    change = types.FileEvent(uri=template.as_uri(), type=types.FileChangeType.Changed)
    editor.client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[change]))
    await editor.eventually(app_uri, lambda diagnostics: leak_line in flagged_lines(diagnostics))


async def test_the_server_watches_python_modules_and_deployment_files(lsp: LanguageClient, helpers_project: Path, editor: Editor) -> None:
    app_uri, _ = open_file(editor, helpers_project / "app.py")
    await editor.diagnostics(app_uri)  # a request after `initialized` orders us after the registration
    registrations = lsp.registrations  # type: ignore[attr-defined]
    globs = {watcher["globPattern"] for registration in registrations for watcher in registration.register_options["watchers"]}
    wanted = {
        "**/pyproject.toml", "**/*.py", "**/template.{yaml,yml,json}", "**/*.template.{yaml,yml,json}",
        "**/serverless.{yml,yaml}", "**/*.tf", "**/function.json", "**/cdk.json",
        "**/*.{js,mjs,cjs,jsx,ts,mts,cts,tsx}",  # JavaScript/TypeScript helper modules
    }
    dynamic = lsp.capabilities.workspace.did_change_watched_files.dynamic_registration  # type: ignore[union-attr]
    assert globs == (wanted if dynamic else set())


# -- deployment files ---------------------------------------------------------------------------


async def test_a_deployment_file_naming_a_missing_function_gets_a_diagnostic_on_that_name(sam_project: Path, editor: Editor) -> None:
    uri, text = open_file(editor, sam_project / "template.yaml", language_id="yaml")
    start = text.index(MISSING_HANDLER)
    [missing] = [diagnostic for diagnostic in await editor.diagnostics(uri) if "process_refund" in diagnostic.message]
    assert missing.range == range_of(text, start, start + len(MISSING_HANDLER), editor.encoding)
    assert (missing.code, missing.source) == ("deployment", "leak-lsp")


async def test_defining_the_missing_function_in_the_editor_clears_the_deployment_diagnostic(sam_project: Path, editor: Editor) -> None:
    template_uri, _ = open_file(editor, sam_project / "template.yaml", language_id="yaml")
    assert any("process_refund" in diagnostic.message for diagnostic in await editor.diagnostics(template_uri))
    app_uri, app_text = open_file(editor, sam_project / "src" / "app.py")
    editor.replace(app_uri, len(app_text), len(app_text), "\n\ndef process_refund(event, context):\n    return {}\n")
    await editor.eventually(template_uri, lambda diagnostics: not any("process_refund" in d.message for d in diagnostics))


async def test_naming_a_plain_function_in_the_deployment_file_makes_its_leak_reported(sam_project: Path, editor: Editor) -> None:
    module = sam_project / "src" / "app.py"
    module.write_text("import threading\n" + module.read_text(encoding="utf-8") + PLAIN_LEAK, encoding="utf-8")
    app_uri, app_text = open_file(editor, module)
    leak_line = line_of(app_text, "threading.Thread(target=print).start()")
    assert leak_line not in flagged_lines(await editor.diagnostics(app_uri))  # `refund(order)` is not a handler yet
    template_uri, template_text = open_file(editor, sam_project / "template.yaml", language_id="yaml")
    start = template_text.index(MISSING_HANDLER)
    editor.replace(template_uri, start, start + len(MISSING_HANDLER), "app.refund")  # unsaved
    await editor.eventually(app_uri, lambda diagnostics: leak_line in flagged_lines(diagnostics))


# -- hover --------------------------------------------------------------------------------------------


async def test_hover_on_a_call_into_a_helper_shows_the_chain_above_the_rule_page(lsp: LanguageClient, helpers_project: Path, editor: Editor) -> None:
    app_uri, app_text = open_file(editor, helpers_project / "app.py")
    helper = helpers_project / "utils" / "telemetry.py"
    await editor.diagnostics(app_uri)
    position = position_at(app_text, app_text.index(LEAKING_CALL) + 2, editor.encoding)
    hover = await lsp.text_document_hover_async(types.HoverParams(text_document=types.TextDocumentIdentifier(uri=app_uri), position=position))
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    call_line = line_of(app_text, LEAKING_CALL) + 1
    scheduling_line = line_of(helper.read_text(encoding="utf-8"), FLUSHER_STARTED) + 1
    call_link = f"[app.py:{call_line}]({app_uri}#L{call_line})"
    helper_link = f"[utils/telemetry.py:{scheduling_line}]({helper.as_uri()}#L{scheduling_line})"
    value = hover.contents.value
    assert value.index(call_link) < value.index(helper_link) < value.index(rule_page("EL101"))


# -- code lenses ------------------------------------------------------------------------------------------


def expected_lenses(text: str, encoding: str) -> dict[str, tuple[types.Range, str]]:
    """Each top-level function of the fixture: its name's range, and its count of ``# expect`` lines."""
    lines = text.splitlines()
    expected = {}
    for node in ast.parse(text).body:
        if isinstance(node, ast.FunctionDef):
            count = sum("# expect:" in line for line in lines[node.lineno - 1 : node.end_lineno])
            start = text.index(f"def {node.name}(") + len("def ")
            counted = "no findings" if count == 0 else f"{count} finding" + ("s" if count > 1 else "")
            expected[node.name] = (range_of(text, start, start + len(node.name), encoding), counted)
    return expected


async def _lenses(lsp: LanguageClient, uri: str) -> list[types.CodeLens]:
    return await lsp.text_document_code_lens_async(types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri))) or []


async def _lens_of(lsp: LanguageClient, uri: str, handler: str) -> types.Command:
    """The command of the lens above ``handler``."""
    commands = [lens.command for lens in await _lenses(lsp, uri) if lens.command and list(lens.command.arguments or []) == [uri, handler]]
    assert len(commands) == 1, commands
    return commands[0]


async def test_code_lenses_sit_on_each_entry_point_with_its_finding_count(lsp: LanguageClient, helpers_project: Path, editor: Editor) -> None:
    app_uri, app_text = open_file(editor, helpers_project / "app.py")
    lenses = await _lenses(lsp, app_uri)
    expected = expected_lenses(app_text, editor.encoding)
    assert len(lenses) == len(expected)
    for lens in lenses:
        assert lens.command is not None
        name = lens.command.arguments[1]  # type: ignore[index]
        name_range, counted = expected[name]
        assert lens.range == name_range
        assert lens.command.title.endswith(counted)


async def test_a_code_lens_says_which_deployment_file_line_names_the_entry_point(sam_project: Path, lsp: LanguageClient, editor: Editor) -> None:
    app_uri, _ = open_file(editor, sam_project / "src" / "app.py")
    template_text = (sam_project / "template.yaml").read_text(encoding="utf-8")
    line = line_of(template_text, "Handler: app.lambda_handler") + 1
    command = await _lens_of(lsp, app_uri, "lambda_handler")
    assert f"template.yaml line {line}" in command.title


async def test_the_code_lens_command_shows_the_entry_point_findings(lsp: LanguageClient, helpers_project: Path, editor: Editor) -> None:
    app_uri, app_text = open_file(editor, helpers_project / "app.py")
    diagnostics = await editor.diagnostics(app_uri)
    command = await _lens_of(lsp, app_uri, "leaking")
    params = types.ExecuteCommandParams(command=command.command, arguments=command.arguments)
    result = await lsp.workspace_execute_command_async(params)
    [leak] = [diagnostic for diagnostic in diagnostics if diagnostic.range.start.line == line_of(app_text, LEAKING_CALL)]
    leak_range = lsp.protocol._converter.unstructure(leak.range)
    assert [(item["uri"], item["range"], item["code"]) for item in result] == [(app_uri, leak_range, leak.code)]
    assert (lsp.shown_documents[-1].uri, lsp.shown_documents[-1].selection) == (app_uri, leak.range)
    assert any(leak.message in message.message for message in lsp.messages)
