"""The analysis never raises: not on arbitrary text, half-typed code, or hostile files.

Every report must also be well formed: its spans point inside the text it came from.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leak_lsp.analysis import analyze_file, analyze_source
from leak_lsp.analysis.model import FileReport, Span
from leak_lsp.analysis.text import LineIndex

from .fixture_corpus import Fixture, all_fixtures

FIXTURES = all_fixtures()
FIXTURE_LINES = sorted({line for fixture in FIXTURES for line in fixture.lines})

PROPERTY = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PREFIXES = settings(PROPERTY, max_examples=400)

LEAKING_HANDLER = (
    "import threading\n"
    "\n"
    "def lambda_handler(event, context):\n"
    "    worker = threading.Thread(target=print)\n"
    "    worker.start()\n"
    "    return {}\n"
)
LEAK_LINE = 4  # 0-based line of ``worker.start()`` in LEAKING_HANDLER


def _assert_span_inside(span: Span, index: LineIndex) -> None:
    assert span.start <= span.end
    for position in (span.start, span.end):
        assert 0 <= position.line < index.line_count
        assert 0 <= position.column <= len(index.line(position.line))


def _assert_well_formed(report: FileReport, source: str) -> None:
    index = LineIndex(source)
    for finding in report.findings:
        _assert_span_inside(finding.span, index)
    for problem in report.problems:
        if problem.span is not None:
            _assert_span_inside(problem.span, index)


def _analyse(source: str) -> FileReport:
    report = analyze_source(source, "fuzzed.py")
    _assert_well_formed(report, source)
    return report


def _leak_columns(report: FileReport) -> list[tuple[int, int]]:
    return [(f.span.start.line, f.span.start.column) for f in report.findings if f.code == "EL101"]


@PROPERTY
@given(st.text())
def test_arbitrary_text(source: str) -> None:
    _analyse(source)


@PROPERTY
@given(st.lists(st.sampled_from(FIXTURE_LINES), max_size=60))
def test_fixture_lines_in_any_order(lines: list[str]) -> None:
    _analyse("\n".join(lines))


@PREFIXES
@given(st.sampled_from(FIXTURES), st.data())
def test_any_line_prefix_of_a_fixture(fixture: Fixture, data: st.DataObject) -> None:
    cut = data.draw(st.integers(min_value=0, max_value=len(fixture.lines)), label="lines kept")
    _analyse("\n".join(fixture.lines[:cut]))


@PREFIXES
@given(st.sampled_from(FIXTURES), st.data())
def test_any_character_prefix_of_a_fixture(fixture: Fixture, data: st.DataObject) -> None:
    cut = data.draw(st.integers(min_value=0, max_value=len(fixture.source)), label="characters kept")
    _analyse(fixture.source[:cut])


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda fixture: fixture.id)
def test_fixture_with_one_line_deleted(fixture: Fixture) -> None:
    """A line removed in the middle of a function: the typical state while editing."""
    chosen = random.Random(fixture.id).randrange(len(fixture.lines))
    _analyse("\n".join(fixture.lines[:chosen] + fixture.lines[chosen + 1 :]))


def test_empty_source() -> None:
    report = _analyse("")
    assert report.findings == []
    assert report.problems == []


def test_null_bytes_are_reported() -> None:
    report = _analyse(LEAKING_HANDLER.replace("return {}", "return '\x00'"))
    assert report.problems


def test_expression_nested_beyond_the_parser_limit() -> None:
    report = _analyse(LEAKING_HANDLER + "DEEP = a" + ".b" * 20_000 + "\n")
    assert report.findings or report.problems


def test_expression_nested_beyond_the_recursion_limit_of_tree_walkers() -> None:
    """1,500 chained operators parse, but overflow any recursive walk of the tree."""
    deep_handler = "def other_handler(event, context):\n    return " + " + ".join(["event"] * 1_500) + "\n"
    report = _analyse(LEAKING_HANDLER + "\n" + deep_handler)
    assert report.findings or report.problems


def test_a_statement_too_deep_to_walk_is_skipped_and_the_handlers_leak_still_found() -> None:
    """A 1,000-term sum after the leak costs that one statement, not the handler."""
    total = "    total = " + " + ".join(["1"] * 1_000) + "\n"
    source = LEAKING_HANDLER.replace("    return {}\n", total + "    return total\n")
    report = _analyse(source)
    assert [(finding.code, finding.span.start.line) for finding in report.findings] == [("EL101", LEAK_LINE)]
    assert [problem.span.start.line for problem in report.problems if problem.span] == [LEAK_LINE + 1]


def test_blocks_nested_to_the_indentation_limit() -> None:
    depth = 98
    body = "".join("    " * level + "if event:\n" for level in range(1, depth + 1))
    source = (
        "import threading\n\ndef lambda_handler(event, context):\n"
        + body
        + "    " * (depth + 1)
        + "threading.Thread(target=print).start()\n"
    )
    report = _analyse(source)
    assert report.findings or report.problems


def test_brackets_nested_to_the_parser_limit() -> None:
    nested = "[" * 190 + "event" + "]" * 190
    report = _analyse(LEAKING_HANDLER.replace("return {}", f"return {nested}"))
    assert _leak_columns(report) == [(LEAK_LINE, 4)]


def test_ten_megabyte_file(tmp_path: Path) -> None:
    handler = LEAKING_HANDLER.split("\n", 2)[2]
    chunks = ["import threading\n\n"]
    size = 0
    number = 0
    while size < 10 * 1024 * 1024:
        chunk = handler.replace("lambda_handler", f"handler_{number}")
        chunks.append(chunk)
        size += len(chunk)
        number += 1
    path = tmp_path / "huge.py"
    path.write_text("".join(chunks), encoding="utf-8")
    report = analyze_file(path)
    assert report.findings or report.problems


def test_non_utf8_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "broken.py"
    path.write_bytes(LEAKING_HANDLER.encode() + b"NAME = '\xff\xfe\xfa'\n")
    report = analyze_file(path)
    assert report.problems
    assert report.findings == []


def test_latin1_file_declared_by_pep263(tmp_path: Path) -> None:
    leak_line = "    label = 'café crème'; threading.Thread(target=print).start()"
    source = "# -*- coding: latin-1 -*-\nimport threading\n\ndef lambda_handler(event, context):\n" + leak_line + "\n"
    path = tmp_path / "latin.py"
    path.write_bytes(source.encode("latin-1"))
    report = analyze_file(path)
    assert report.problems == []
    assert _leak_columns(report) == [(4, leak_line.index("threading"))]


def test_crlf_line_endings() -> None:
    report = _analyse(LEAKING_HANDLER.replace("\n", "\r\n"))
    assert _leak_columns(report) == [(LEAK_LINE, 4)]


def test_lone_carriage_return_line_endings() -> None:
    report = _analyse(LEAKING_HANDLER.replace("\n", "\r"))
    assert _leak_columns(report) == [(LEAK_LINE, 4)]


def test_form_feeds_do_not_shift_lines() -> None:
    """A form feed is whitespace to Python and to LSP, never a line break."""
    source = "\f\n" + LEAKING_HANDLER.replace("    worker.start()", "\f    worker.start()")
    report = _analyse(source)
    assert _leak_columns(report) == [(LEAK_LINE + 1, 5)]


def test_tab_indentation() -> None:
    report = _analyse(LEAKING_HANDLER.replace("    ", "\t"))
    assert _leak_columns(report) == [(LEAK_LINE, 1)]


def test_columns_count_code_points_after_non_ascii_text() -> None:
    leak_line = "    note = 'naïve 🚀 façade'; threading.Thread(target=print).start()"
    source = "import threading\n\ndef lambda_handler(event, context):\n" + leak_line + "\n"
    report = _analyse(source)
    assert _leak_columns(report) == [(3, leak_line.index("threading"))]
