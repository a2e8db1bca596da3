"""``--fix`` writes the safe fixes back; ``--diff`` shows them and changes nothing."""

from __future__ import annotations

import ast
import json
from pathlib import Path

from tests.cli.conftest import LEAKING_HANDLER, RunCheck, write


def el101_count(run_check: RunCheck, name: str) -> int:
    return sum(entry["code"] == "EL101" for entry in json.loads(run_check("--format", "json", name).stdout))


def test_fix_writes_a_file_that_parses_and_no_longer_leaks(tmp_path: Path, run_check: RunCheck) -> None:
    handler = write(tmp_path, "handler.py", LEAKING_HANDLER)

    result = run_check("--fix", "handler.py")

    fixed = handler.read_text(encoding="utf-8")
    assert fixed != LEAKING_HANDLER
    ast.parse(fixed)
    assert el101_count(run_check, "handler.py") == 0
    assert "Fixed 1 leak." in result.stdout
    assert result.returncode == 0


def test_fix_keeps_crlf_line_endings(tmp_path: Path, run_check: RunCheck) -> None:
    handler = tmp_path / "handler.py"
    handler.write_bytes(LEAKING_HANDLER.replace("\n", "\r\n").encode())

    run_check("--fix", "handler.py")

    data = handler.read_bytes()
    assert data.count(b"\n") == data.count(b"\r\n") > LEAKING_HANDLER.count("\n")


def test_fix_keeps_a_latin_1_file_in_latin_1(tmp_path: Path, run_check: RunCheck) -> None:
    source = "# -*- coding: latin-1 -*-\n" + LEAKING_HANDLER.replace("pass", "label = 'café'")
    handler = tmp_path / "handler.py"
    handler.write_bytes(source.encode("latin-1"))

    run_check("--fix", "handler.py")

    data = handler.read_bytes()
    assert "label = 'café'".encode("latin-1") in data
    assert el101_count(run_check, "handler.py") == 0


def test_diff_prints_the_change_and_leaves_the_file_alone(tmp_path: Path, run_check: RunCheck) -> None:
    handler = write(tmp_path, "handler.py", LEAKING_HANDLER)

    result = run_check("--diff", "handler.py")

    assert handler.read_text(encoding="utf-8") == LEAKING_HANDLER
    assert result.stdout.startswith("--- handler.py\n+++ handler.py\n@@ ")
    assert any(line.startswith("+") and not line.startswith("+++") for line in result.stdout.splitlines())
    assert result.returncode == 1


def test_diff_applies_to_the_text_what_fix_writes(tmp_path: Path, run_check: RunCheck) -> None:
    handler = write(tmp_path, "handler.py", LEAKING_HANDLER)
    diff = run_check("--diff", "handler.py").stdout

    run_check("--fix", "handler.py")

    added = [line[1:] for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]
    fixed_lines = handler.read_text(encoding="utf-8").splitlines()
    assert all(line in fixed_lines for line in added)


def test_nothing_to_fix_exits_0_and_changes_nothing(tmp_path: Path, run_check: RunCheck) -> None:
    source = "def helper():\n    return 1\n"
    handler = write(tmp_path, "helper.py", source)

    result = run_check("--fix", "helper.py")

    assert handler.read_text(encoding="utf-8") == source
    assert result.returncode == 0
