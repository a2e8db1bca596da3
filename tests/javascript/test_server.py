"""The language server on JavaScript and TypeScript documents, driven by pytest-lsp with
the push/UTF-16 (VS Code) and pull/UTF-8 (Neovim) client profiles."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from server.editor import Editor, range_of

from leak_lsp.javascript.syntax import ParsedSource

TIMER_CALL = 'setTimeout(() => console.log("récépissé 🧾"), 50)'
JS_HANDLER = (
    "// Reçu envoyé — ✉️ après la réponse\n"
    "exports.handler = async (event) => {\n"
    f"  const note = \"naïve 🧾\"; {TIMER_CALL};\r\n"
    "  return { note };\n"
    "};\n"
)
TS_HANDLER = (
    "import { SQSClient, SendMessageCommand } from \"@aws-sdk/client-sqs\";\n"
    "const sqs = new SQSClient({});\n"
    "export const handler = async (event: { id: string }): Promise<string> => {\n"
    "  sqs.send(new SendMessageCommand({ QueueUrl: \"q\", MessageBody: event.id }));\n"
    "  const timer: NodeJS.Timeout = setInterval(() => {}, 1000);\n"
    "  return event.id;\n"
    "};\n"
)


async def test_a_javascript_timer_is_reported_at_its_exact_range_after_non_ascii_text(editor: Editor) -> None:
    uri = "file:///project/src/handler.js"
    editor.open(uri, JS_HANDLER, language_id="javascript")
    [diagnostic] = await editor.diagnostics(uri)
    start = JS_HANDLER.index(TIMER_CALL)
    assert diagnostic.code == "EL102"
    assert diagnostic.range == range_of(JS_HANDLER, start, start + len(TIMER_CALL), editor.encoding)


async def test_fix_all_settles_every_leak_of_a_typescript_handler(editor: Editor) -> None:
    uri = "file:///project/src/handler.ts"
    editor.open(uri, TS_HANDLER, language_id="typescript")
    assert sorted(d.code for d in await editor.diagnostics(uri)) == ["EL102", "EL106"]
    [offered] = await editor.code_actions(uri, 0, 0, only=["source.fixAll.leak-lsp"])
    action = await editor.resolved(offered)
    assert action.edit is not None
    editor.apply(action.edit)
    fixed = editor.texts[uri]
    assert "await sqs.send(" in fixed and "clearInterval(timer);" in fixed
    assert not ParsedSource(fixed, "handler.ts").root.has_error
    assert await editor.diagnostics(uri) == []


async def test_an_edit_that_awaits_the_promise_clears_its_diagnostic(editor: Editor) -> None:
    uri = "file:///project/src/edit.mjs"
    text = "export const handler = async () => {\n  fetch(\"https://x.example.com\");\n  return 1;\n};\n"
    editor.open(uri, text, language_id="javascript")
    [diagnostic] = await editor.diagnostics(uri)
    assert diagnostic.code == "EL106"
    at = text.index("fetch")
    editor.replace(uri, at, at, "await ")
    assert await editor.diagnostics(uri) == []


async def test_typing_into_a_handler_ends_with_the_findings_of_its_final_text(editor: Editor) -> None:
    """Each keystroke is a change re-parsed against the last tree (half-typed code in between)."""
    uri = "file:///project/src/typed.js"
    text = "exports.handler = async (event) => {\n  const t = setTimeout(() => {}, 50); // ✉️ reçu\n  return 1;\n};\n"
    editor.open(uri, text, language_id="javascript")
    assert [d.code for d in await editor.diagnostics(uri)] == ["EL102"]
    at = text.index("  return")
    for character in "clearTimeout(t); const ü = setTimeout(() => {}, 9);\n":
        editor.replace(uri, at, at, character)
        at += 1
    final = editor.texts[uri]
    [diagnostic] = await editor.diagnostics(uri)
    start = final.index("setTimeout(() => {}, 9)")
    assert diagnostic.code == "EL102"
    assert diagnostic.range == range_of(final, start, start + len("setTimeout(() => {}, 9)"), editor.encoding)


async def test_an_unsaved_document_is_analysed_in_the_language_the_editor_gives(editor: Editor) -> None:
    uri = "untitled:Untitled-1"
    editor.open(uri, JS_HANDLER, language_id="javascript")
    [diagnostic] = await editor.diagnostics(uri)
    start = JS_HANDLER.index(TIMER_CALL)
    assert diagnostic.code == "EL102"
    assert diagnostic.range == range_of(JS_HANDLER, start, start + len(TIMER_CALL), editor.encoding)


async def test_an_unsaved_typescript_document_is_read_as_typescript(editor: Editor) -> None:
    uri = "untitled:Untitled-2"
    editor.open(uri, TS_HANDLER, language_id="typescript")
    assert sorted(d.code for d in await editor.diagnostics(uri)) == ["EL102", "EL106"]


PROJECT = {
    "pyproject.toml": "[tool.leak-lsp]\n",
    "src/lib/metrics.js": "exports.startFlush = () => setInterval(() => console.log('flush'), 1000);\n"
                          "exports.stop = (timer) => clearInterval(timer);\n",
    "src/app.js": "const { startFlush } = require('./lib/metrics');\n"
                  "exports.handler = async (event) => {\n"
                  "  const flush = startFlush();\n"
                  "  if (event.quick) {\n"
                  "    return 'quick';\n"
                  "  }\n"
                  "  fetch('https://audit.example.com');\n"
                  "  return 'done';\n"
                  "};\n",
    "src/api.mts": "export const handler = async (e: unknown): Promise<number> => {\n"
                   "  void fetch('https://x.example.com');\n"
                   "  setTimeout(() => {}, 10);\n"
                   "  return 1;\n"
                   "};\n",
    "src/clean.js": "exports.handler = async () => {\n  await fetch('https://x.example.com');\n  return 1;\n};\n",
}


async def test_check_and_the_server_report_the_same_findings_on_a_javascript_project(
        editor: Editor, tmp_path: Path) -> None:
    for name, text in PROJECT.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    completed = subprocess.run([sys.executable, "-m", "leak_lsp", "check", "src"], cwd=tmp_path, capture_output=True,
                               text=True, check=False)
    from_check = sorted(tuple(line.split(" ")[:2]) for line in completed.stdout.splitlines() if ": EL" in line)
    from_server = []
    for name, text in PROJECT.items():
        if name.startswith("src/") and name.endswith((".js", ".mts")):
            uri = (tmp_path / name).as_uri()
            editor.open(uri, text, language_id="typescript" if name.endswith(".mts") else "javascript")
            from_server += [(f"{name}:{d.range.start.line + 1}:{d.range.start.character + 1}:", str(d.code))
                            for d in await editor.diagnostics(uri)]
    assert len(from_check) >= 4  # the helper's interval, the floating fetch, the voided fetch, the timer
    assert sorted(from_server) == from_check
