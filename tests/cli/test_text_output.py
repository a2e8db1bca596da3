"""The default text format: ``path:line:col: CODE message`` and a summary, as ruff prints."""

from __future__ import annotations

import re
from pathlib import Path

from tests.cli.conftest import CLEAN_HANDLER, LEAK_LINE, LEAKING_HANDLER, RunCheck, write

NON_ASCII_CALL = """\
import threading


def work():
    pass


def lambda_handler(event, context):
    label = "naïve 😀 café"; threading.Thread(target=work).start()
    return label
"""


def test_a_finding_is_one_line_with_path_line_column_and_code(tmp_path: Path, run_check: RunCheck) -> None:
    write(tmp_path, "handler.py", LEAKING_HANDLER)

    result = run_check("handler.py")

    column = LEAKING_HANDLER.splitlines()[LEAK_LINE - 1].index("threading") + 1
    assert result.stdout.splitlines()[0].startswith(f"handler.py:{LEAK_LINE}:{column}: EL101 ")


def test_columns_count_characters_not_bytes(tmp_path: Path, run_check: RunCheck) -> None:
    write(tmp_path, "handler.py", NON_ASCII_CALL)

    result = run_check("handler.py")

    line = NON_ASCII_CALL.splitlines()[8]
    assert result.stdout.splitlines()[0].startswith(f"handler.py:9:{line.index('threading') + 1}: EL101 ")


def test_the_summary_counts_leaks_and_files(tmp_path: Path, run_check: RunCheck) -> None:
    write(tmp_path, "one.py", LEAKING_HANDLER)
    write(tmp_path, "two.py", LEAKING_HANDLER + "\n\ndef other_handler(event, context):\n    threading.Thread(target=work).start()\n")
    write(tmp_path, "clean.py", CLEAN_HANDLER)

    result = run_check(".")

    assert "Found 3 leaks in 2 files." in result.stdout.splitlines()


def test_a_clean_run_says_so(tmp_path: Path, run_check: RunCheck) -> None:
    write(tmp_path, "clean.py", CLEAN_HANDLER)

    result = run_check(".")

    assert result.stdout == "All checked, no leaks.\n"


def test_no_colours_when_stdout_is_not_a_terminal(tmp_path: Path, run_check: RunCheck) -> None:
    write(tmp_path, "handler.py", LEAKING_HANDLER)

    result = run_check("handler.py")

    assert "\x1b[" not in result.stdout + result.stderr


def test_force_color_colours_and_no_color_wins_over_it(tmp_path: Path, run_check: RunCheck) -> None:
    write(tmp_path, "handler.py", LEAKING_HANDLER)

    forced = run_check("handler.py", env={"FORCE_COLOR": "1"})
    refused = run_check("handler.py", env={"FORCE_COLOR": "1", "NO_COLOR": "1"})

    assert re.search(r"\x1b\[[0-9;]*mEL101\x1b\[0m", forced.stdout)
    assert "\x1b[" not in refused.stdout
