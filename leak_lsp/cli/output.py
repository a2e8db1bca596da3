"""What ``leak-lsp check`` prints: one formatter per ``--format``.

Every formatter takes the reports sorted by path and returns the whole text. Rows and
columns are 1-based, columns counted in characters (code points), as ruff prints them.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from leak_lsp import __version__
from leak_lsp.analysis.model import (
    Applicability,
    FileReport,
    Finding,
    Fix,
    Position,
    Related,
    Severity,
    SourceProblem,
    Span,
)
from leak_lsp.rules import all_rules, rule_for, rule_page, rule_url

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_URI = "https://github.com/leak-lsp/leak-lsp"

Item = Finding | SourceProblem


@dataclass(frozen=True)
class RunTotals:
    """The counts behind the text format's last lines."""

    findings: int  # errors and warnings
    files_with_findings: int
    problems: int
    notes: int = 0  # information and hints: shown, but they do not fail the run
    deployment_problems: int = 0
    complete: bool = True  # False when a path given did not exist: "all checked" would not be true
    fixed: int = 0
    fixable: int = 0
    unsafe_fixable: int = 0


@dataclass(frozen=True)
class Context:
    summary: RunTotals
    colour: bool = False


Formatter = Callable[[Sequence[FileReport], Context], str]


def display_path(path: str) -> str:
    """The path relative to the working folder when it is inside it, as ruff shows paths."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def items(report: FileReport) -> list[Item]:
    """A file's findings and problems in the order of their positions."""
    return sorted([*report.problems, *report.findings], key=_item_key)


def _item_key(item: Item) -> tuple[Position, str]:
    if isinstance(item, Finding):
        return item.span.start, item.code
    return (item.span.start if item.span else Position(-1, -1)), ""


def _one_based(position: Position) -> dict[str, int]:
    return {"row": position.line + 1, "column": position.column + 1}


# text


_COLOURS = {
    Severity.ERROR: "\x1b[1;31m",
    Severity.WARNING: "\x1b[1;33m",
    Severity.INFORMATION: "\x1b[1;34m",
    Severity.HINT: "\x1b[2m",
}
_BOLD, _RESET = "\x1b[1m", "\x1b[0m"


def format_text(reports: Sequence[FileReport], context: Context) -> str:
    return "".join(line + "\n" for line in [*text_lines(reports, context.colour), *summary_lines(context.summary)])


def text_lines(reports: Sequence[FileReport], colour: bool = False) -> list[str]:
    """``path:line:col: CODE message`` per finding, and a line per problem."""
    paint = _painter(colour)
    return [_text_line(report.path, item, paint) for report in reports for item in items(report)]


def _painter(colour: bool) -> Callable[[str, str], str]:
    if colour:
        return lambda text, style: f"{style}{text}{_RESET}"
    return lambda text, style: text


def _text_line(path: str, item: Item, paint: Callable[[str, str], str]) -> str:
    where = paint(display_path(path), _BOLD)
    if isinstance(item, Finding):
        start = item.span.start
        return f"{where}:{start.line + 1}:{start.column + 1}: {paint(item.code, _COLOURS[item.severity])} {item.message}"
    kind = problem_kind(item)
    text = item.message.partition(": ")[2] if kind != "error" else item.message
    label = paint(kind, _COLOURS[Severity.ERROR])
    if item.span is None:
        return f"{where}: {label}: {text}"
    start = item.span.start
    return f"{where}:{start.line + 1}:{start.column + 1}: {label}: {text}"


_PROBLEM_KINDS = ("SyntaxError", "deployment")


def problem_kind(problem: SourceProblem) -> str:
    """``SyntaxError`` or ``deployment`` when the message starts with it (it says so itself), else ``error``."""
    head = problem.message.partition(": ")[0]
    return head if head in _PROBLEM_KINDS else "error"


def summary_lines(summary: RunTotals) -> list[str]:
    lines = []
    if summary.fixed:
        lines.append(f"Fixed {_count(summary.fixed, 'leak')}.")
    if summary.findings:
        lines.append(f"Found {_count(summary.findings, 'leak')} in {_count(summary.files_with_findings, 'file')}.")
    if summary.deployment_problems:
        lines.append(f"{_count(summary.deployment_problems, 'entry point')} in deployment files name missing code.")
    if summary.problems:
        lines.append(f"{_count(summary.problems, 'problem')} kept code from being analysed.")
    if summary.complete and not (summary.findings or summary.problems or summary.deployment_problems):
        lines.append("All checked, no leaks.")
    if summary.notes:
        lines.append(f"{_count(summary.notes, 'note')} at information level.")
    if summary.fixable:
        lines.append(f"[*] {summary.fixable} fixable with the `--fix` option.")
    if summary.unsafe_fixable:
        lines.append(f"{summary.unsafe_fixable} more fixable with `--fix --unsafe-fixes`.")
    return lines


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


# json (ruff's schema, plus severity)


def format_json(reports: Sequence[FileReport], context: Context) -> str:
    entries = [_json_entry(report.path, item) for report in reports for item in items(report)]
    return json.dumps(entries, indent=2, ensure_ascii=False) + "\n"


def _json_entry(path: str, item: Item) -> dict[str, Any]:
    filename = os.path.abspath(path)
    if isinstance(item, Finding):
        return {
            "cell": None,
            "code": item.code,
            "end_location": _one_based(item.span.end),
            "filename": filename,
            "fix": _json_fix(displayed_fix(item)),
            "location": _one_based(item.span.start),
            "message": item.message,
            "noqa_row": item.span.start.line + 1,
            "related": [_json_related(related) for related in item.related],
            "severity": item.severity.value,
            "url": rule_url(item.code),
        }
    span = item.span or Span.of(0, 0, 0, 0)
    return {
        "cell": None,
        "code": None,
        "end_location": _one_based(span.end),
        "filename": filename,
        "fix": None,
        "location": _one_based(span.start),
        "message": item.message,
        "noqa_row": None,
        "severity": Severity.ERROR.value,
        "url": None,
    }


def _json_related(related: Related) -> dict[str, Any]:
    """A related location with its role (``exit``, ``helper-step``...), so that tools need not parse its message."""
    return {
        "end_location": _one_based(related.span.end),
        "filename": os.path.abspath(related.path),
        "location": _one_based(related.span.start),
        "message": related.message,
        "role": related.role.value,
    }


def displayed_fix(finding: Finding) -> Fix | None:
    """The fix an editor would offer first: the preferred one, else the first real one (not a noqa)."""
    real = [fix for fix in finding.fixes if fix.applicability is not Applicability.DISPLAY]
    return next((fix for fix in real if fix.preferred), real[0] if real else None)


def _json_fix(fix: Fix | None) -> dict[str, Any] | None:
    if fix is None:
        return None
    edits = sorted(fix.edits, key=lambda edit: edit.span)
    return {
        "applicability": fix.applicability.value,
        "message": fix.title,
        "edits": [
            {"content": edit.new_text, "location": _one_based(edit.span.start), "end_location": _one_based(edit.span.end)}
            for edit in edits
        ],
    }


# SARIF 2.1.0

_SARIF_LEVELS = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFORMATION: "note",
    Severity.HINT: "note",
}


def format_sarif(reports: Sequence[FileReport], context: Context) -> str:
    rules = all_rules()
    rule_index = {rule.code: index for index, rule in enumerate(rules)}
    results = [
        _sarif_result(finding, rule_index) for report in reports for finding in items(report) if isinstance(finding, Finding)
    ]
    notifications = [
        _sarif_notification(report.path, problem) for report in reports for problem in report.problems
    ]
    run = {
        "tool": {
            "driver": {
                "name": "leak-lsp",
                "version": __version__,
                "informationUri": TOOL_URI,
                "rules": [_sarif_rule(rule.code) for rule in rules],
            }
        },
        "columnKind": "unicodeCodePoints",
        "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notifications}],
        "results": results,
    }
    document = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _sarif_rule(code: str) -> dict[str, Any]:
    rule = rule_for(code)
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule_summary(code)},
        "helpUri": rule_url(code),
        "defaultConfiguration": {"level": _SARIF_LEVELS[rule.severity]},
    }


@cache
def rule_summary(code: str) -> str:
    """The first paragraph under "What it does" in the rule's page."""
    match = re.search(r"## What it does\n(.+?)(?:\n\n|\n#|$)", rule_page(code), re.DOTALL)
    return " ".join(match.group(1).split()) if match else rule_for(code).name


def _sarif_result(finding: Finding, rule_index: dict[str, int]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "level": _SARIF_LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": _sarif_physical(finding.path, finding.span)}],
    }
    if finding.code in rule_index:
        result["ruleIndex"] = rule_index[finding.code]
    if finding.related:
        result["relatedLocations"] = [
            {"id": number, "physicalLocation": _sarif_physical(related.path, related.span),
             "message": {"text": related.message}, "properties": {"role": related.role.value}}
            for number, related in enumerate(finding.related, start=1)
        ]
    return result


def _sarif_notification(path: str, problem: SourceProblem) -> dict[str, Any]:
    location = _sarif_physical(path, problem.span) if problem.span else {"artifactLocation": {"uri": _sarif_uri(path)}}
    return {"level": "error", "message": {"text": problem.message}, "locations": [{"physicalLocation": location}]}


def _sarif_physical(path: str, span: Span) -> dict[str, Any]:
    return {
        "artifactLocation": {"uri": _sarif_uri(path)},
        "region": {
            "startLine": span.start.line + 1,
            "startColumn": span.start.column + 1,
            "endLine": span.end.line + 1,
            "endColumn": span.end.column + 1,
        },
    }


def _sarif_uri(path: str) -> str:
    """Relative to the working folder when inside it (what code scanning expects), else file://."""
    shown = display_path(path)
    return Path(shown).as_posix() if not os.path.isabs(shown) else Path(shown).as_uri()


# GitHub Actions workflow commands


_GITHUB_LEVELS = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFORMATION: "notice",
    Severity.HINT: "notice",
}


def format_github(reports: Sequence[FileReport], context: Context) -> str:
    return "".join(_github_line(report.path, item) + "\n" for report in reports for item in items(report))


def _github_line(path: str, item: Item) -> str:
    span: Span | None
    if isinstance(item, Finding):
        level, title, span, message = _GITHUB_LEVELS[item.severity], item.code, item.span, item.message
    else:
        kind = problem_kind(item)
        level, title, span, message = "error", kind if kind != "error" else "leak-lsp", item.span, item.message
    properties = {"file": display_path(path)}
    if span is not None:
        properties |= {
            "line": str(span.start.line + 1),
            "col": str(span.start.column + 1),
            "endLine": str(span.end.line + 1),
            "endColumn": str(span.end.column + 1),
        }
    properties["title"] = title
    joined = ",".join(f"{key}={_github_escape(value, True)}" for key, value in properties.items())
    return f"::{level} {joined}::{_github_escape(message, False)}"


def _github_escape(text: str, is_property: bool) -> str:
    escaped = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return escaped.replace(":", "%3A").replace(",", "%2C") if is_property else escaped


FORMATTERS: dict[str, Formatter] = {
    "text": format_text,
    "json": format_json,
    "sarif": format_sarif,
    "github": format_github,
}


# --statistics and --show-handlers


def format_statistics(reports: Sequence[FileReport], as_json: bool, is_fixable: Callable[[Finding], bool]) -> str:
    """Findings per code, most frequent first, as ruff's ``--statistics``."""
    findings = [finding for report in reports for finding in report.findings]
    counts = Counter(finding.code for finding in findings)
    fixable = Counter(finding.code for finding in findings if is_fixable(finding))
    rows = [
        {"code": code, "name": rule_for(code).name, "count": count, "fixable": fixable[code] > 0}
        for code, count in sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
    ]
    if as_json:
        return json.dumps(rows, indent=2) + "\n"
    width = len(str(max(counts.values(), default=0)))
    return "".join(
        f"{row['count']:>{width}}\t{row['code']}\t{'[*] ' if row['fixable'] else ''}{row['name']}\n" for row in rows
    )


def format_handlers(reports: Sequence[FileReport], as_json: bool) -> str:
    """Every entry point the analysis found, and why it took it for one."""
    rows = list(_handler_rows(reports))
    if as_json:
        return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    return "".join(f"{row['path']}:{row['line']}: {row['name']} [{row['platform']}] {row['reason']}"
                   f" (project {row['project']})\n" for row in rows)


def _handler_rows(reports: Sequence[FileReport]) -> Iterator[dict[str, Any]]:
    from leak_lsp.project.files import project_root, root_marker

    for report in reports:
        root = project_root(report.path)
        marker = root_marker(root)
        project = display_path(str(root)) + (f", {marker}" if marker else ", no root marker")
        for handler in sorted(report.handlers, key=lambda handler: handler.span):
            yield {
                "path": display_path(report.path),
                "line": handler.span.start.line + 1,
                "name": handler.name,
                "platform": handler.platform,
                "reason": handler.reason,
                "project": project,
            }
