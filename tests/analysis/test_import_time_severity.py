"""EL301 severity in Python: a timer armed at import is information only (no invocation owns it, as in
Node, NODE.md §1.5); threads and child processes started at import keep the rule's severity."""

from __future__ import annotations

from pathlib import Path

from leak_lsp.analysis import analyze_source
from leak_lsp.analysis.config import Settings
from leak_lsp.analysis.model import Severity

FIXTURE = Path(__file__).parent.parent / "fixtures" / "analysis" / "import_time" / "repeating_pusher.py"
HANDLER = "\n\ndef lambda_handler(event, context):\n    return 1\n"


def _severities(source: str, settings: Settings | None = None) -> dict[tuple[str, int], Severity]:
    findings = analyze_source(source, "app.py", settings).findings
    return {(f.code, f.span.start.line + 1): f.severity for f in findings}


def test_a_timer_armed_at_import_is_information() -> None:
    found = _severities(FIXTURE.read_text(encoding="utf-8"))
    assert found[("EL301", 25)] is Severity.INFORMATION
    assert found[("EL102", 35)] is Severity.ERROR  # armed per invocation: still a leak


def test_a_thread_started_at_import_keeps_the_rule_severity() -> None:
    source = "import threading\n\nthreading.Thread(target=print).start()" + HANDLER
    assert list(_severities(source).items()) == [(("EL301", 3), Severity.WARNING)]


def test_a_configured_severity_still_wins() -> None:
    source = "import threading\n\nthreading.Timer(5.0, print).start()" + HANDLER
    settings = Settings(severity={"EL301": Severity.ERROR})
    assert list(_severities(source, settings).values()) == [Severity.ERROR]
