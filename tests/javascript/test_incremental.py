"""The server's incremental re-parse of JavaScript/TypeScript: after any sequence of edits, the
analysis of the re-parsed text equals a fresh analysis of the same text, and an edit re-uses the
subtrees it did not touch."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leak_lsp.analysis import analyze_source
from leak_lsp.analysis.config import Settings
from leak_lsp.analysis.incremental import IncrementalAnalyzer
from leak_lsp.javascript.incremental import IncrementalJavaScript, byte_edit, point, reparse
from leak_lsp.javascript.syntax import Node, ParsedSource, parser_for, walk

FIXTURES = Path(__file__).parent.parent / "fixtures" / "javascript"
SOURCES = sorted(
    path for path in FIXTURES.rglob("*") if path.is_file() and path.suffix in (".js", ".mjs", ".cjs", ".ts", ".mts", ".tsx")
)
# Pieces typed into a handler: code that opens or closes constructs, strings and comments that swallow
# what follows, line breaks of every kind, and text that is longer in UTF-8 and UTF-16 than in code points.
PIECES = [
    "await ", "void ", "setTimeout(() => {}, 10);", "clearTimeout(t);", "callback(null, 1);", "context.done();",
    "{", "}", "(", ")", "`", "'", "/*", "*/", "//", ";", "\n", "\r\n", "\r", "\f", " ", "é", "名前", "😀",
    "res.send('ok');", "return 1;", "async ", "function f(event, context) {", "fetch('https://x');",
    "\x00", "\ud83d", "\u2028",  # a NUL, half a surrogate pair (from a client's JSON), a separator LSP ignores
]  # fmt: skip
edits = st.lists(
    st.tuples(st.sampled_from(["insert", "delete", "replace"]), st.floats(0, 1), st.integers(0, 40),
              st.lists(st.sampled_from(PIECES), min_size=1, max_size=4).map("".join)),
    min_size=1, max_size=6,
)  # fmt: skip


def _apply(text: str, kind: str, where: float, length: int, inserted: str) -> str:
    start = int(where * len(text))
    end = min(len(text), start + length)
    if kind == "insert":
        return text[:start] + inserted + text[start:]
    if kind == "delete":
        return text[:start] + text[end:]
    return text[:start] + inserted + text[end:]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SOURCES), edits)
def test_every_edit_analyses_as_a_fresh_parse(source_path: Path, steps: list[tuple[str, float, int, str]]) -> None:
    path = str(source_path)
    text = source_path.read_text(encoding="utf-8")
    analyzer = IncrementalAnalyzer(path, Settings())
    analyzer.analyze(text)
    for step in steps:
        text = _apply(text, *step)
        assert analyzer.analyze(text) == analyze_source(text, path)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(SOURCES), edits)
def test_the_reparsed_tree_is_the_fresh_tree(source_path: Path, steps: list[tuple[str, float, int, str]]) -> None:
    path = str(source_path)
    text = source_path.read_text(encoding="utf-8")
    incremental = IncrementalJavaScript(path, Settings())
    incremental.parse(text)
    for step in steps:
        text = _apply(text, *step)
        assert _shape(incremental.parse(text).root) == _shape(ParsedSource(text, path).root)


def _shape(root: Node) -> list[tuple[object, ...]]:
    return [(node.type, node.start_byte, node.end_byte, node.start_point, node.is_missing) for node in walk(root)]


def test_an_edit_without_a_syntax_error_is_parsed_against_the_last_tree() -> None:
    text = "function a() { return 1; }\nexports.handler = async () => { setTimeout(() => {}, 5); };\n"
    incremental = IncrementalJavaScript("app.js", Settings())
    first = incremental.parse(text).root.named_children[0]
    assert incremental.parse(text.replace("5)", "50)")).root.named_children[0].id == first.id


def test_an_edit_that_leaves_a_syntax_error_is_parsed_afresh() -> None:
    text = "function a() { return 1; }\nexports.handler = async () => { setTimeout(() => {}, 5); };\n"
    incremental = IncrementalJavaScript("app.js", Settings())
    first = incremental.parse(text).root.named_children[0]
    assert incremental.parse(text.replace("5)", "5")).root.named_children[0].id != first.id


def test_the_edit_is_the_changed_range_in_bytes() -> None:
    edit = byte_edit("let a = 'é';\n".encode(), "let a = 'è!';\n".encode())
    assert (edit.start, edit.old_end, edit.new_end) == (9, 11, 12)  # the shared lead byte of é and è is not cut


def test_points_count_rows_at_line_feeds_and_columns_in_bytes() -> None:
    assert point("a\r\né😀x".encode(), 9) == (1, 6)  # x: after 2 + 4 bytes on the second row


def test_an_edit_reuses_the_functions_it_did_not_touch() -> None:
    text = "function a() { return 1; }\nfunction b() { return 2; }\n"
    path = "app.js"
    old = ParsedSource(text, path)
    edited = text.replace("return 2", "return 20")
    new = reparse(parser_for(path), old.tree, old.data, edited.encode())
    first_old, second_old = old.root.named_children
    first_new, second_new = new.root_node.named_children
    assert first_new.id == first_old.id  # the same subtree, not parsed again
    assert second_new.id != second_old.id


def test_the_last_tree_is_left_as_it_was() -> None:
    text = "exports.handler = async () => { setTimeout(() => {}, 5); };\n"
    old = ParsedSource(text, "app.js")
    before = str(old.root)
    reparse(parser_for("app.js"), old.tree, old.data, ("// x\n" + text).encode())
    assert str(old.root) == before and old.root.end_byte == len(old.data)
