"""``--fix`` and ``--diff``: apply the findings' fixes, re-analyse, repeat, as ruff does.

Each round applies the fixes :func:`leak_lsp.analysis.fixes_selection.select_fixes`
chooses (the server's fixAll chooses the same); the next round, on the fixed text,
picks up those that overlapped. A round that would turn parsing code into a syntax error is
dropped. The file is written back in its own encoding, BOM and line endings.
"""

from __future__ import annotations

import ast
import difflib
import io
import re
import tokenize
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from leak_lsp.analysis import analyze_source
from leak_lsp.project.workspace import Workspace
from leak_lsp.analysis.config import Settings
from leak_lsp.analysis.fixes_selection import fix_to_apply, select_fixes
from leak_lsp.analysis.model import FileReport, Finding, TextEdit
from leak_lsp.analysis.text import LineIndex, apply_edits, decode_source

MAX_ROUNDS = 10

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class FixedSource:
    text: str
    report: FileReport  # the analysis of ``text``
    applied: int  # how many findings' fixes went in
    warning: str | None = None  # why fixing stopped early


def fix_source(text: str, report: FileReport, settings: Settings, unsafe: bool,
               workspace: Workspace | None = None) -> FixedSource:
    """Apply fixes round after round until none is left or ``MAX_ROUNDS`` is reached."""
    applied = 0
    parsed_before = _parses(text)
    for _ in range(MAX_ROUNDS):
        edits = select_fixes(report.findings, unsafe)
        if not edits:
            break
        candidate = apply_edits(text, _in_line_ending(edits, LineIndex(text).dominant_line_ending()))
        if parsed_before and not _parses(candidate):
            return FixedSource(text, report, applied, "a fix would have introduced a syntax error; it was not applied")
        text, applied = candidate, applied + _fixes_among(report.findings, edits, unsafe)
        report = analyze_source(text, report.path, settings, workspace)
    return FixedSource(text, report, applied)


def _fixes_among(findings: Iterable[Finding], edits: Iterable[TextEdit], unsafe: bool) -> int:
    """How many findings had their fix chosen, for the "Fixed N leaks" line."""
    chosen = set(edits)
    fixes = (fix_to_apply(finding, unsafe) for finding in findings)
    return sum(1 for fix in fixes if fix is not None and fix.edits and chosen.issuperset(fix.edits))


def _in_line_ending(edits: Iterable[TextEdit], line_ending: str) -> list[TextEdit]:
    """The edits with their line breaks written as the file writes them."""
    return [TextEdit(edit.span, _LINE_BREAK.sub(line_ending, edit.new_text)) for edit in edits]


def _parses(text: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the user's invalid escapes are not our news
            ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


@dataclass(frozen=True)
class FileFix:
    report: FileReport
    applied: int = 0
    original: str | None = None  # the text before fixing, when something changed
    fixed: str | None = None  # the text after fixing, when something changed
    warning: str | None = None


def fix_file(path: Path, report: FileReport, settings: Settings, unsafe: bool, write: bool,
             workspace: Workspace | None = None) -> FileFix:
    """Fix one file already analysed as ``report``; write it back when ``write``."""
    if not any(fix_to_apply(finding, unsafe) for finding in report.findings):
        return FileFix(report)
    try:
        data = path.read_bytes()
        encoding = _source_encoding(data)
        text = decode_source(data)
    except (OSError, UnicodeDecodeError, SyntaxError) as error:
        return FileFix(report, warning=f"cannot read the file again to fix it: {error}")
    result = fix_source(text, report, settings, unsafe, workspace)
    if result.applied == 0:
        return FileFix(result.report, warning=result.warning)
    if write:
        try:
            path.write_bytes(result.text.encode(encoding))
        except (OSError, UnicodeEncodeError) as error:
            return FileFix(report, warning=f"cannot write the fixed file: {error}")
    return FileFix(result.report, result.applied, text, result.text, result.warning)


def _source_encoding(data: bytes) -> str:
    """The codec that writes the text back as it was read (``utf-8-sig`` keeps a BOM)."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return encoding


def unified_diff(original: str, fixed: str, name: str) -> str:
    """A unified diff that keeps each line's own ending and marks a missing final newline."""
    lines = difflib.unified_diff(_lines(original), _lines(fixed), fromfile=name, tofile=name)
    return "".join(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n" for line in lines)


def _lines(text: str) -> list[str]:
    index = LineIndex(text)
    ends = index.starts[1:] + [len(text)]
    return [text[start:end] for start, end in zip(index.starts, ends) if end > start]
