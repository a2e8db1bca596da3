"""``--fix`` and ``--diff``: the file side of :func:`leak_lsp.analysis.fix_all.fix_source`.

The file is read and written back in its own encoding, BOM and line endings; the
rounds of fixing themselves are the analysis layer's, shared with the server's fixAll.
A file is never truncated in place: the fixed text goes to a temporary file in the same
folder, which replaces the original only if the original still holds what was analysed.
"""

from __future__ import annotations

import difflib
import io
import os
import stat
import tempfile
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


class ChangedMeanwhile(OSError):
    """The file on disk no longer holds the bytes the fixes were computed from."""


def fix_file(path: Path, data: bytes, report: FileReport, settings: Settings, unsafe: bool, write: bool,
             workspace: Workspace | None = None) -> FileFix:
    """Fix one file whose bytes ``data`` were analysed as ``report``; write it back when ``write``."""
    if not any(fix_to_apply(finding, unsafe) for finding in report.findings):
        return FileFix(report)
    try:
        encoding = _source_encoding(data)
        text = decode_source(data)
    except (UnicodeDecodeError, SyntaxError) as error:
        return FileFix(report, warning=f"cannot decode the file to fix it: {error}")
    result = fix_source(text, report, settings, unsafe, workspace)
    if result.applied == 0:
        return FileFix(result.report, warning=result.warning)
    if write:
        try:
            replace_contents(path, data, result.text.encode(encoding))
        except ChangedMeanwhile:
            return FileFix(report, warning="the file changed since it was read; not fixed (run again)")
        except (OSError, UnicodeEncodeError) as error:
            return FileFix(report, warning=f"cannot write the fixed file (left as it was): {error}")
    return FileFix(result.report, result.applied, text, result.text, result.warning)


def replace_contents(path: Path, expected: bytes, new: bytes) -> None:
    """Write ``new`` over ``path`` atomically, keeping its mode, if it still holds ``expected``.

    The bytes go to a temporary file beside the target (same file system), are synced to
    disk, then renamed over the target: a full disk or a crash leaves the original whole.
    A symlink is followed, so the link stays a link. Raises :class:`ChangedMeanwhile`.
    """
    target = Path(os.path.realpath(path))
    if target.read_bytes() != expected:
        raise ChangedMeanwhile(f"{path} changed since it was read")
    mode = stat.S_IMODE(target.stat().st_mode)
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".leak-lsp-tmp")
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(new)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _sync_folder(target.parent)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where folders cannot be opened."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


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
