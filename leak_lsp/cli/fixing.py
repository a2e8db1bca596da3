"""``--fix`` and ``--diff``: the file side of :func:`leak_lsp.analysis.fix_all.fix_source`.

The file is read and written back in its own encoding, BOM and line endings; the
rounds of fixing themselves are the analysis layer's, shared with the server's fixAll.
"""

from __future__ import annotations

import difflib
import io
import tokenize
from dataclasses import dataclass
from pathlib import Path

from leak_lsp.analysis.config import Settings
from leak_lsp.analysis.fix_all import fix_source, fix_to_apply
from leak_lsp.analysis.model import FileReport
from leak_lsp.analysis.text import LineIndex, decode_source
from leak_lsp.project.workspace import Workspace


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
