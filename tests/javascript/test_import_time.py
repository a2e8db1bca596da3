"""Work started at module level (EL301): a timer armed at init is information only (NODE.md §1.5:
no invocation owns it), a child process keeps the rule's severity."""

from __future__ import annotations

from leak_lsp.analysis import analyze_source
from leak_lsp.analysis.config import Settings
from leak_lsp.analysis.model import Severity

HANDLER = "exports.handler = async () => 1;\n"


def test_a_timer_armed_at_init_is_information() -> None:
    [finding] = analyze_source("setTimeout(() => console.log('warm'), 100);\n" + HANDLER, "app.js").findings
    assert (finding.code, finding.severity) == ("EL301", Severity.INFORMATION)


def test_a_process_spawned_at_init_keeps_the_rule_severity() -> None:
    source = "const { spawn } = require('child_process');\nspawn('warm-cache');\n" + HANDLER
    [finding] = analyze_source(source, "app.js").findings
    assert (finding.code, finding.severity) == ("EL301", Severity.WARNING)


def test_a_configured_severity_still_wins() -> None:
    settings = Settings(severity={"EL301": Severity.ERROR})
    [finding] = analyze_source("setInterval(() => {}, 1000);\n" + HANDLER, "app.js", settings).findings
    assert finding.severity is Severity.ERROR
