"""Any text, any shape: the JavaScript front-end returns a report and never raises."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from leak_lsp.analysis import analyze_source
from leak_lsp.analysis.model import FileReport

FRAGMENTS = st.sampled_from([
    "exports.handler = async (event, context, callback) => {", "}", "{", "(", ")", ";", "\n", "\r\n", "\r", "\f",
    "setTimeout(() => 1, 5)", "await ", "void ", "return ", "throw e", "try {", "} catch (e) {", "} finally {",
    "if (t) ", "else ", "for (const x of y) ", "while (x) ", "switch (x) { case 1: ", "break", "continue",
    "new Promise((resolve) => ", "clearTimeout(t)", "const t = ", "fetch('x')", "callback(null, 1)",
    "context.callbackWaitsForEmptyEventLoop = false", "res.send('ok')", "`${", "'", '"', "/*", "//", "é🧾",
    "module.exports = ", "function* () { yield ", "__awaiter(this, void 0, void 0, ", "@dec class C { m() {",
])  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(st.lists(FRAGMENTS, max_size=40), st.sampled_from(["a.js", "a.ts", "a.tsx", "a.mjs", "a.cts"]))
def test_fragments_of_handlers_never_crash(parts: list[str], name: str) -> None:
    report = analyze_source(" ".join(parts), name)
    assert isinstance(report, FileReport)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text_never_crashes(text: str) -> None:
    assert isinstance(analyze_source(text, "handler.js"), FileReport)


def test_deep_nesting_is_a_problem_or_a_report_not_a_crash() -> None:
    depth = 3000
    source = "exports.handler = async () => {\n" + "if (x) {\n" * depth + "setTimeout(f, 1);\n" + "}\n" * depth + "};\n"
    report = analyze_source(source, "deep.js")
    assert isinstance(report, FileReport)
    long_chain = "exports.handler = async () => { a" + ".b" * 20000 + "(); };\n"
    assert isinstance(analyze_source(long_chain, "chain.js"), FileReport)
