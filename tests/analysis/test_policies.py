"""Policies the fixture corpus cannot state with `# expect:` lines: severities, evidence, switches."""

from __future__ import annotations

import textwrap

from leak_lsp.analysis import analyze_source
from leak_lsp.analysis.config import Settings
from leak_lsp.analysis.model import Severity

PER_INVOCATION = textwrap.dedent('''
    import threading

    def arm_warning(settings, ctx):
        threading.Timer(ctx.get_remaining_time_in_millis() / 1000, print).start()

    def lambda_handler(event, context):
        threading.Timer(1.0, print).start()
''')

EXCEPTION_PATH = textwrap.dedent('''
    import threading
    import requests

    def lambda_handler(event, context):
        watchdog = threading.Timer(5.0, print)
        watchdog.start()
        requests.get(event["url"])
        watchdog.cancel()
''')


def test_code_that_is_not_a_proven_handler_reports_warnings() -> None:
    report = analyze_source(PER_INVOCATION, "module.py")
    severities = {finding.handler: finding.severity for finding in report.findings}
    assert severities == {"arm_warning": Severity.WARNING, "lambda_handler": Severity.ERROR}


def test_show_handlers_gives_the_evidence_for_per_invocation_code() -> None:
    report = analyze_source(PER_INVOCATION, "module.py")
    reasons = {handler.name: handler.reason for handler in report.handlers}
    assert "uses `ctx` as a Lambda context (`.get_remaining_time_in_millis`)" in reasons["arm_warning"]
    assert "not a proven handler" in reasons["arm_warning"]


def test_a_configured_severity_still_wins_for_per_invocation_code() -> None:
    settings = Settings(severity={"EL102": Severity.ERROR})
    report = analyze_source(PER_INVOCATION, "module.py", settings)
    assert {finding.severity for finding in report.findings} == {Severity.ERROR}


def test_exception_path_names_the_call_that_raises() -> None:
    [finding] = analyze_source(EXCEPTION_PATH, "module.py").findings
    assert finding.code == "EL902"
    assert finding.severity == Severity.WARNING
    assert "if `requests.get()` on line 8 raises" in finding.message
    assert any(related.span.start.line == 7 for related in finding.related)


def test_exception_paths_can_be_turned_off() -> None:
    report = analyze_source(EXCEPTION_PATH, "module.py", Settings(ignore=("EL902",)))
    assert report.findings == []


SWITCHED_BY_A_SETTING = textwrap.dedent('''
    import threading

    SETTINGS = {"mode": "thread"}

    def run(job):
        if SETTINGS["mode"] == "thread":
            threading.Thread(target=job).start()
        else:
            job()

    def lambda_handler(event, context):
        SETTINGS["mode"] = "blocking"
        run(print)
''')


def test_work_a_setting_switches_on_is_reported_below_error() -> None:
    source = SWITCHED_BY_A_SETTING.replace('SETTINGS["mode"] = "blocking"', 'SETTINGS["mode"] = current_mode()')
    [finding] = analyze_source(source, "module.py").findings
    assert (finding.code, finding.severity) == ("EL101", Severity.WARNING)


def test_work_a_setting_assigned_by_the_entry_switches_off_is_not_reported() -> None:
    assert analyze_source(SWITCHED_BY_A_SETTING, "module.py").findings == []


def test_work_the_entry_switches_on_is_reported() -> None:
    source = SWITCHED_BY_A_SETTING.replace('SETTINGS["mode"] = "blocking"', 'SETTINGS["mode"] = "thread"')
    assert [finding.code for finding in analyze_source(source, "module.py").findings] == ["EL101"]
