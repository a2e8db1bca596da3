"""The JavaScript and TypeScript handlers of the editor tests leak where the editors must show it."""

from __future__ import annotations

from leak_lsp.analysis import analyze_source
from tests.editors.scripts import Script, scripts


@scripts
def test_the_analysis_flags_the_call_the_editors_must_show(script: Script) -> None:
    findings = analyze_source(script.text, script.name).findings
    found = [{"code": f.code, "line": f.span.start.line, "column": f.span.start.column} for f in findings]
    assert found == script.expected("utf-32")
