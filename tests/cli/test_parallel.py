"""Many files are checked in worker processes; the output does not depend on it."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

from tests.cli.conftest import CLEAN_HANDLER, LEAKING_HANDLER, RunCheck, write

FILES = 24  # well above the threshold for worker processes


def many_files(folder: Path) -> None:
    for number in range(FILES):
        write(folder, f"pkg{number % 3}/handler_{number}.py", LEAKING_HANDLER if number % 2 else CLEAN_HANDLER)
    (folder / "pkg1" / "broken.py").write_bytes(b"\xff\xfe\x00")


def test_parallel_and_serial_runs_print_the_same(tmp_path: Path, run_check: RunCheck) -> None:
    many_files(tmp_path)

    for output_format in ("text", "json", "sarif"):
        serial = run_check("--jobs", "1", "--format", output_format, ".")
        parallel = run_check("--jobs", "4", "--format", output_format, ".")
        assert (parallel.stdout, parallel.returncode) == (serial.stdout, serial.returncode)


def test_output_is_sorted_by_path_then_position(tmp_path: Path, run_check: RunCheck) -> None:
    many_files(tmp_path)

    lines = [line for line in run_check("--jobs", "4", ".").stdout.splitlines() if " EL101 " in line]

    keys = [(path, int(row), int(column)) for path, row, column, _ in (line.split(":", 3) for line in lines)]
    assert len(keys) == FILES // 2 and keys == sorted(keys)


def test_no_progress_bar_when_stderr_is_not_a_terminal(tmp_path: Path, run_check: RunCheck) -> None:
    many_files(tmp_path)

    assert run_check(".").stderr == ""


def test_a_progress_bar_on_a_terminal_stderr(tmp_path: Path) -> None:
    many_files(tmp_path)
    controller, terminal = pty.openpty()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "leak_lsp", "check", "."],
            cwd=tmp_path, stderr=terminal, stdout=subprocess.PIPE, text=True, timeout=120,
        )  # fmt: skip
        os.close(terminal)
        shown = _read_all(controller)
    finally:
        os.close(controller)
    assert f"] {FILES + 1}/{FILES + 1} files" in shown
    assert "\r" not in result.stdout


def _read_all(descriptor: int) -> str:
    chunks = []
    while True:
        try:
            chunk = os.read(descriptor, 65536)
        except OSError:  # the terminal side was closed: everything has been read
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode("utf-8", errors="replace")
