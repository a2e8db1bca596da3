"""``--fix`` never loses a file: an atomic replace that keeps the mode, and no write over a changed file."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import pytest

from leak_lsp.analysis import analyze_source
from leak_lsp.analysis.config import Settings
from leak_lsp.cli.fixing import ChangedMeanwhile, fix_file, replace_contents
from tests.cli.conftest import CLEAN_HANDLER, LEAKING_HANDLER, RunCheck, write


def test_fix_keeps_the_file_mode(tmp_path: Path, run_check: RunCheck) -> None:
    handler = write(tmp_path, "handler.py", LEAKING_HANDLER)
    handler.chmod(0o751)

    run_check("--fix", "handler.py")

    assert handler.read_text(encoding="utf-8") != LEAKING_HANDLER
    assert stat.S_IMODE(handler.stat().st_mode) == 0o751


def test_fix_leaves_no_temporary_file_behind(tmp_path: Path, run_check: RunCheck) -> None:
    write(tmp_path, "handler.py", LEAKING_HANDLER)

    run_check("--fix", "handler.py")

    assert sorted(path.name for path in tmp_path.iterdir()) == ["handler.py"]


def test_fix_through_a_symlink_writes_the_target_and_keeps_the_link(tmp_path: Path, run_check: RunCheck) -> None:
    target = write(tmp_path, "real/handler.py", LEAKING_HANDLER)
    link = tmp_path / "handler.py"
    link.symlink_to(target)

    run_check("--fix", "handler.py")

    assert link.is_symlink()
    assert target.read_text(encoding="utf-8") != LEAKING_HANDLER


def test_a_file_changed_since_it_was_read_is_not_written(tmp_path: Path) -> None:
    handler = write(tmp_path, "handler.py", LEAKING_HANDLER)
    read_then = handler.read_bytes()
    report = analyze_source(LEAKING_HANDLER, str(handler), Settings())
    handler.write_text(CLEAN_HANDLER, encoding="utf-8")  # the user saves while the check runs

    result = fix_file(handler, read_then, report, Settings(), unsafe=False, write=True)

    assert handler.read_text(encoding="utf-8") == CLEAN_HANDLER
    assert result.applied == 0
    assert result.warning is not None and "changed since it was read" in result.warning


def test_replace_contents_refuses_a_changed_file(tmp_path: Path) -> None:
    path = write(tmp_path, "module.py", "new = 2\n")

    with pytest.raises(ChangedMeanwhile):
        replace_contents(path, b"old = 1\n", b"fixed = 3\n")

    assert path.read_text(encoding="utf-8") == "new = 2\n"


FULL_DISK = """
import resource, signal, sys
from pathlib import Path
from leak_lsp.cli.fixing import replace_contents
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG, as on a full disk
resource.setrlimit(resource.RLIMIT_FSIZE, (16, 16))
path = Path(sys.argv[1])
try:
    replace_contents(path, path.read_bytes(), b"fixed = 2\\n" * 100)
except OSError as error:
    print(type(error).__name__)
"""


def test_a_failed_write_leaves_the_original_whole(tmp_path: Path) -> None:
    path = write(tmp_path, "module.py", "x = 1\n")

    result = subprocess.run([sys.executable, "-c", FULL_DISK, str(path)], capture_output=True, text=True, timeout=60)

    assert result.stdout.strip() == "OSError", result.stderr
    assert path.read_text(encoding="utf-8") == "x = 1\n"
    assert sorted(child.name for child in tmp_path.iterdir()) == ["module.py"]
