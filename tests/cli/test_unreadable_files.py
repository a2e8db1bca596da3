"""A file that cannot be read, decoded or fully parsed is reported; the others are still checked."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import CLEAN_HANDLER, LEAK_LINE, LEAKING_HANDLER, RunCheck, write


def lines_about(name: str, output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(name)]


def test_an_undecodable_file_is_one_error_line_and_the_others_are_checked(tmp_path: Path, run_check: RunCheck) -> None:
    (tmp_path / "binary.py").write_bytes(b"x = '\xff\xfe\xfa'\n")
    write(tmp_path, "handler.py", LEAKING_HANDLER)

    result = run_check(".")

    [binary_line] = lines_about("binary.py", result.stdout)
    assert binary_line.startswith("binary.py: error: cannot decode")
    assert any(line.startswith(f"handler.py:{LEAK_LINE}:") for line in result.stdout.splitlines())
    assert result.returncode == 1


def test_an_unreadable_file_is_reported(tmp_path: Path, run_check: RunCheck) -> None:
    (tmp_path / "dangling.py").symlink_to(tmp_path / "gone.py")
    write(tmp_path, "clean.py", CLEAN_HANDLER)

    result = run_check(".")

    [dangling_line] = lines_about("dangling.py", result.stdout)
    assert dangling_line.startswith("dangling.py: error: cannot read")
    assert result.returncode == 1


def test_a_syntax_error_is_reported_and_the_rest_of_the_file_analysed(tmp_path: Path, run_check: RunCheck) -> None:
    broken = LEAKING_HANDLER + "\n\ndef half_typed(:\n    pass\n"
    write(tmp_path, "handler.py", broken)

    result = run_check("handler.py")

    lines = result.stdout.splitlines()
    syntax_row = broken.splitlines().index("def half_typed(:") + 1
    assert any(line.startswith(f"handler.py:{syntax_row}:") and ": SyntaxError: " in line for line in lines)
    assert any(line.startswith(f"handler.py:{LEAK_LINE}:") and " EL101 " in line for line in lines)
    assert result.returncode == 1


def test_a_syntax_error_in_json_has_no_code(tmp_path: Path, run_check: RunCheck) -> None:
    write(tmp_path, "handler.py", "def half_typed(:\n    pass\n")

    entries = json.loads(run_check("--format", "json", "handler.py").stdout)

    assert [entry["code"] for entry in entries] == [None]
    assert entries[0]["message"].startswith("SyntaxError: ")
    assert entries[0]["location"]["row"] == 1
