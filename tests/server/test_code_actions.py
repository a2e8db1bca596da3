"""Quick fixes, the noqa action and fix-all, as an editor receives and applies them."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from leak_lsp.analysis import analyze_source
from leak_lsp.analysis.config import Settings
from leak_lsp.analysis.fix_all import fix_source
from leak_lsp.analysis.model import Applicability
from leak_lsp.analysis.text import apply_edits
from leak_lsp.server.diagnostics import recipe_from_data

from .conftest import CONFIG, start_editor
from .editor import Editor

URI = "file:///project/handler.py"
NAMED_THREAD = """import threading

def work():
    pass

def lambda_handler(event, context):
    s = 'é😀'; worker = threading.Thread(target=work)
    worker.start()
    if event:
        return 2
    return 1
"""
TWO_LEAKS = """import threading

def work():
    pass

def lambda_handler(event, context):
    first = threading.Thread(target=work)
    first.start()
    threading.Thread(target=work).start()
    return 1
"""

JOINED_ON_SUCCESS = """import threading
import requests

def lambda_handler(event, context):
    worker = threading.Thread(target=print)
    worker.start()
    response = requests.get(event["url"])
    worker.join()
    return response.status_code
"""


async def _actions_at_the_finding(editor: Editor, uri: str) -> tuple[types.Diagnostic, list[types.CodeAction]]:
    [diagnostic] = await editor.diagnostics(uri)
    start, end = editor.offsets(uri, diagnostic.range)
    return diagnostic, await editor.code_actions(uri, start, end, only=[types.CodeActionKind.QuickFix])


async def test_the_quick_fixes_are_the_findings_fixes_in_order(editor: Editor) -> None:
    editor.open(URI, NAMED_THREAD)
    _, actions = await _actions_at_the_finding(editor, URI)
    [finding] = analyze_source(NAMED_THREAD, "/project/handler.py").findings
    assert [action.title for action in actions] == [fix.title for fix in finding.fixes if fix.edits]
    assert all(action.kind == types.CodeActionKind.QuickFix for action in actions)


async def test_only_a_safe_fix_the_analysis_prefers_is_preferred_and_the_noqa_action_never(editor: Editor) -> None:
    editor.open(URI, NAMED_THREAD)
    _, actions = await _actions_at_the_finding(editor, URI)
    [finding] = analyze_source(NAMED_THREAD, "/project/handler.py").findings
    expected = [fix.preferred and fix.applicability is Applicability.SAFE for fix in finding.fixes if fix.edits]
    assert [bool(action.is_preferred) for action in actions] == expected
    [noqa] = [action for action in actions if "noqa" in action.title]
    assert not noqa.is_preferred


async def test_a_quick_fix_is_tied_to_its_diagnostic(editor: Editor) -> None:
    editor.open(URI, NAMED_THREAD)
    diagnostic, actions = await _actions_at_the_finding(editor, URI)
    assert all([(d.code, d.range) for d in action.diagnostics or []] == [(diagnostic.code, diagnostic.range)] for action in actions)


async def test_each_quick_fix_applied_by_the_editor_removes_the_finding_and_adds_none(encoded_editor: Editor) -> None:
    encoded_editor.open(URI, NAMED_THREAD)
    _, first_offer = await _actions_at_the_finding(encoded_editor, URI)
    assert first_offer
    for index in range(len(first_offer)):
        encoded_editor.replace_all(URI, NAMED_THREAD)
        _, actions = await _actions_at_the_finding(encoded_editor, URI)
        action = await encoded_editor.resolved(actions[index])
        assert action.edit is not None and action.title == first_offer[index].title
        encoded_editor.apply(action.edit)
        fixed = encoded_editor.texts[URI]
        ast.parse(fixed)
        assert fixed.startswith("import threading\n\ndef work():\n    pass\n")  # the rest of the file is untouched
        assert [d.code for d in await encoded_editor.diagnostics(URI)] == [], action.title


async def test_fix_edits_carry_the_document_version_when_the_client_takes_versioned_edits(encoded_editor: Editor) -> None:
    encoded_editor.open(URI, NAMED_THREAD)
    encoded_editor.replace(URI, 0, 0, "# a comment\n")
    _, actions = await _actions_at_the_finding(encoded_editor, URI)
    edit = (await encoded_editor.resolved(actions[0])).edit
    assert edit is not None
    if encoded_editor.client.capabilities.workspace.workspace_edit.document_changes:  # type: ignore[union-attr]
        assert [change.text_document.version for change in edit.document_changes or []] == [2]  # type: ignore[union-attr]
    else:
        assert edit.document_changes is None and list(edit.changes or {}) == [URI]


async def test_a_diagnostic_carries_the_recipe_of_its_settle_fixes_and_only_the_noqa_edit(editor: Editor) -> None:
    editor.open(URI, NAMED_THREAD)
    [diagnostic] = await editor.diagnostics(URI)
    [finding] = analyze_source(NAMED_THREAD, "/project/handler.py", fixes=False).findings
    assert finding.recipe is not None and isinstance(diagnostic.data, dict)
    assert recipe_from_data(diagnostic.data["recipe"]) == finding.recipe
    assert [fix["title"] for fix in diagnostic.data["fixes"]] == ["Suppress EL101 with `# noqa`"]


async def test_a_client_that_resolves_edits_gets_settle_fixes_without_edits_until_it_resolves_one(encoded_editor: Editor) -> None:
    encoded_editor.open(URI, NAMED_THREAD)
    _, actions = await _actions_at_the_finding(encoded_editor, URI)
    resolves = encoded_editor.client.capabilities.text_document.code_action.resolve_support is not None  # type: ignore[union-attr]
    settle = [action for action in actions if "noqa" not in action.title]
    assert settle and all((action.edit is None) is resolves for action in settle)
    [noqa] = [action for action in actions if "noqa" in action.title]
    assert noqa.edit is not None  # computed with the finding, sent at once


async def test_a_resolved_quick_fix_is_the_fix_the_analysis_computes(encoded_editor: Editor) -> None:
    encoded_editor.open(URI, NAMED_THREAD)
    _, actions = await _actions_at_the_finding(encoded_editor, URI)
    [finding] = analyze_source(NAMED_THREAD, "/project/handler.py").findings
    for offered, fix in zip(actions, [fix for fix in finding.fixes if fix.edits], strict=True):
        action = await encoded_editor.resolved(offered)
        assert action.edit is not None and action.title == fix.title
        assert encoded_editor.applied(URI, action.edit) == apply_edits(NAMED_THREAD, fix.edits)


async def test_resolving_a_quick_fix_after_an_edit_is_refused_as_content_modified(pulling_editor: Editor) -> None:
    pulling_editor.open(URI, NAMED_THREAD)
    _, actions = await _actions_at_the_finding(pulling_editor, URI)
    [lazy, *_] = [action for action in actions if action.edit is None]
    pulling_editor.replace(URI, 0, 0, "\n")
    with pytest.raises(Exception, match="changed"):
        await pulling_editor.resolved(lazy)


async def test_fix_all_applies_every_safe_fix_at_once(editor: Editor) -> None:
    editor.open(URI, TWO_LEAKS)
    assert Counter(d.code for d in await editor.diagnostics(URI)) == {"EL101": 2}
    [offered] = await editor.code_actions(URI, 0, 0, only=["source.fixAll.leak-lsp"])
    action = await editor.resolved(offered)
    assert action.kind == "source.fixAll.leak-lsp" and action.edit is not None
    editor.apply(action.edit)
    ast.parse(editor.texts[URI])
    assert await editor.diagnostics(URI) == []


async def test_fix_all_is_computed_only_when_resolved_by_a_client_that_can(editor: Editor) -> None:
    editor.open(URI, TWO_LEAKS)
    await editor.diagnostics(URI)
    [offered] = await editor.code_actions(URI, 0, 0, only=["source.fixAll.leak-lsp"])
    resolves = editor.client.capabilities.text_document.code_action.resolve_support is not None  # type: ignore[union-attr]
    assert (offered.edit is None) is resolves


async def test_resolving_fix_all_after_an_edit_is_refused_as_content_modified(lsp_pulling: LanguageClient, pulling_editor: Editor) -> None:
    pulling_editor.open(URI, TWO_LEAKS)
    await pulling_editor.diagnostics(URI)
    [offered] = await pulling_editor.code_actions(URI, 0, 0, only=["source.fixAll.leak-lsp"])
    pulling_editor.replace(URI, 0, 0, "\n")
    with pytest.raises(Exception, match="changed"):
        await pulling_editor.resolved(offered)


async def test_fix_all_is_offered_under_the_source_kind_and_not_under_quickfix(editor: Editor) -> None:
    editor.open(URI, TWO_LEAKS)
    await editor.diagnostics(URI)
    source_kinds = [action.kind for action in await editor.code_actions(URI, 0, 0, only=["source"])]
    quickfix_kinds = {action.kind for action in await editor.code_actions(URI, 0, len(TWO_LEAKS), only=["quickfix"])}
    assert source_kinds == ["source.fixAll.leak-lsp"] and quickfix_kinds == {"quickfix"}


async def test_no_code_action_away_from_any_finding(editor: Editor) -> None:
    editor.open(URI, NAMED_THREAD)
    await editor.diagnostics(URI)
    assert await editor.code_actions(URI, 0, 5, only=["quickfix"]) == []


async def test_a_code_action_for_an_unknown_document_is_empty(lsp: LanguageClient) -> None:
    context = types.CodeActionContext(diagnostics=[])
    empty = types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0))
    params = types.CodeActionParams(text_document=types.TextDocumentIdentifier(uri="file:///nowhere.py"), range=empty, context=context)
    assert list(await lsp.text_document_code_action_async(params)) == []


async def test_an_exception_path_finding_gets_its_finally_fix_and_fix_all_applies_it(editor: Editor) -> None:
    editor.open(URI, JOINED_ON_SUCCESS)
    diagnostic, actions = await _actions_at_the_finding(editor, URI)
    assert diagnostic.code == "EL902"
    [offered_fix] = [action for action in actions if "noqa" not in action.title]
    fix = await editor.resolved(offered_fix)
    assert fix.is_preferred and fix.edit is not None
    assert "    try:\n        response = requests.get(event[\"url\"])\n    finally:\n        worker.join()\n" \
        in editor.applied(URI, fix.edit)
    [offered] = await editor.code_actions(URI, 0, 0, only=["source.fixAll.leak-lsp"])
    action = await editor.resolved(offered)
    assert action.edit is not None
    editor.apply(action.edit)
    assert await editor.diagnostics(URI) == []


async def _offered_and_resolved(editor: Editor, uri: str, text: str, language_id: str) -> tuple[list[types.CodeAction], list[str]]:
    """The quick fixes offered at the document's one finding, and the text each gives once resolved and applied."""
    editor.open(uri, text, language_id=language_id)
    _, offered = await _actions_at_the_finding(editor, uri)
    fixed = []
    for action in offered:
        resolved = await editor.resolved(action)
        assert resolved.edit is not None
        fixed.append(editor.applied(uri, resolved.edit))
    return offered, fixed


TS_TIMER = "export const handler = async (event: { id: string }): Promise<string> => {\n" \
           "  const timer = setInterval(() => {}, 1000);\n  return event.id;\n};\n"


@pytest.mark.parametrize(("uri", "text", "language_id"), [
    (URI, NAMED_THREAD, "python"), ("file:///project/handler.ts", TS_TIMER, "typescript")], ids=["python", "typescript"])
async def test_a_client_that_resolves_edits_gets_titles_only_and_resolves_the_edits_a_client_without_resolve_gets_at_once(
        uri: str, text: str, language_id: str, tmp_path: Path) -> None:
    resolving_client, eager_client = await CONFIG.start(), await CONFIG.start()
    try:
        resolving = await start_editor(resolving_client, "visual-studio-code", tmp_path)
        eager = await start_editor(eager_client, "emacs", tmp_path)  # no resolveSupport
        lazy_offer, lazy_texts = await _offered_and_resolved(resolving, uri, text, language_id)
        eager_offer, eager_texts = await _offered_and_resolved(eager, uri, text, language_id)
    finally:
        await resolving_client.shutdown_session()
        await eager_client.shutdown_session()
    settle = [action for action in lazy_offer if "noqa" not in action.title]
    assert settle and all(action.edit is None for action in settle)
    assert all(action.edit is not None for action in eager_offer)
    assert [(a.title, a.is_preferred) for a in lazy_offer] == [(a.title, a.is_preferred) for a in eager_offer]
    assert lazy_texts == eager_texts and all(fixed != text for fixed in lazy_texts)


@pytest.mark.parametrize(("uri", "text", "language_id"), [
    (URI, TWO_LEAKS, "python"), (URI, JOINED_ON_SUCCESS, "python"), ("file:///project/handler.ts", TS_TIMER, "typescript")],
    ids=["two-leaks", "exception-path", "typescript"])
async def test_fix_all_built_from_the_kept_fixes_gives_the_text_check_fix_writes(
        editor: Editor, uri: str, text: str, language_id: str) -> None:
    editor.open(uri, text, language_id=language_id)
    await editor.diagnostics(uri)
    [offered] = await editor.code_actions(uri, 0, 0, only=["source.fixAll.leak-lsp"])
    action = await editor.resolved(offered)
    assert action.edit is not None
    path = uri.removeprefix("file://")
    expected = fix_source(text, analyze_source(text, path), Settings(), False).text
    assert expected != text and editor.applied(uri, action.edit) == expected
