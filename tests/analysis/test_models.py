"""Library models declared in `[tool.leak-lsp] models`: parsed, validated, and applied like built-in kinds."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from leak_lsp.analysis import analyze_source
from leak_lsp.analysis.config import ConfigError, load_settings

PYPROJECT = '''
[tool.leak-lsp]
models = [
    { call = "acme.telemetry.emit", work = "buffer", settled-by = ["acme.telemetry.flush"] },
    { call = "acme.jobs.spawn", work = "thread", settled-by = ["join", "acme.jobs.wait_all"] },
]
'''

HANDLERS = textwrap.dedent('''
    from acme import jobs, telemetry

    def emits_without_flush(event, context):
        telemetry.emit("seen", event)
        return {}

    def emits_and_flushes(event, context):
        telemetry.emit("seen", event)
        telemetry.flush()
        return {}

    def spawns_without_join(event, context):
        job = jobs.spawn(event)
        return {}

    def spawns_and_joins(event, context):
        job = jobs.spawn(event)
        job.join()
        return {}

    def spawns_and_waits(event, context):
        job = jobs.spawn(event)
        jobs.wait_all([job])
        return {}
''')


def _settings(tmp_path: Path, text: str = PYPROJECT):
    (tmp_path / "pyproject.toml").write_text(text, encoding="utf-8")
    return load_settings(tmp_path)


def test_declared_models_report_under_the_rule_of_their_work(tmp_path: Path) -> None:
    report = analyze_source(HANDLERS, str(tmp_path / "handler.py"), _settings(tmp_path))
    assert sorted((finding.handler, finding.code) for finding in report.findings) == [
        ("emits_without_flush", "EL109"), ("spawns_without_join", "EL101")]


def test_without_models_the_calls_are_unknown(tmp_path: Path) -> None:
    report = analyze_source(HANDLERS, str(tmp_path / "handler.py"), _settings(tmp_path, "[tool.leak-lsp]\n"))
    assert report.findings == []


@pytest.mark.parametrize(("models", "message"), [
    ('models = "acme.emit"', "`models` must be a list of tables"),
    ('models = [{ call = "emit", work = "buffer", settled-by = ["acme.flush"] }]', "`call` must be a qualified name"),
    ('models = [{ call = "acme.emit", work = "queue", settled-by = ["acme.flush"] }]', "`work` must be one of buffer, future, process"),
    ('models = [{ call = "acme.emit", work = "buffer" }]', "missing `settled-by`"),
    ('models = [{ call = "acme.emit", work = "buffer", settled-by = ["flush"] }]', "holds qualified function names"),
    ('models = [{ call = "acme.emit", work = "thread", settled-by = [] }]', "non-empty list"),
    ('models = [{ call = "acme.emit", work = "thread", settled-by = ["join"], when = 1 }]', "unknown key `when`"),
])
def test_malformed_models_are_rejected_with_the_reason(tmp_path: Path, models: str, message: str) -> None:
    with pytest.raises(ConfigError, match="pyproject.toml") as error:
        _settings(tmp_path, f"[tool.leak-lsp]\n{models}\n")
    assert message in str(error.value)
    assert "entry 1" in str(error.value) or "list of tables" in str(error.value)
