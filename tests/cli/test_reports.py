"""``--show-handlers`` and ``--statistics``: what was taken as an entry point, and counts per code."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import CLEAN_HANDLER, LEAKING_HANDLER, RunCheck, write

LIBRARY = "def helper():\n    return 1\n"


def test_show_handlers_lists_each_entry_point_with_its_line(tmp_path: Path, run_check: RunCheck) -> None:
    write(tmp_path, "handler.py", LEAKING_HANDLER)
    write(tmp_path, "library.py", LIBRARY)

    result = run_check("--show-handlers", ".")

    [line] = result.stdout.splitlines()
    handler_row = LEAKING_HANDLER.splitlines().index("def lambda_handler(event, context):") + 1
    assert line.startswith(f"handler.py:{handler_row}: lambda_handler [aws-lambda] ")
    assert result.returncode == 0


def test_show_handlers_as_json(tmp_path: Path, run_check: RunCheck) -> None:
    write(tmp_path, "handler.py", CLEAN_HANDLER)

    [row] = json.loads(run_check("--show-handlers", "--format", "json", ".").stdout)

    assert (row["path"], row["name"], row["platform"]) == ("handler.py", "lambda_handler", "aws-lambda")
    assert row["reason"]


def test_show_handlers_names_the_project_found_above_the_checked_folder(tmp_path: Path, run_check: RunCheck) -> None:
    write(tmp_path, "pyproject.toml", "[project]\nname = 'orders'\n")
    write(tmp_path, "orders/handler.py", CLEAN_HANDLER)

    [row] = json.loads(run_check("--show-handlers", "--format", "json", "orders").stdout)

    assert row["project"] == "., pyproject.toml"


def test_statistics_counts_findings_per_code(tmp_path: Path, run_check: RunCheck) -> None:
    write(tmp_path, "one.py", LEAKING_HANDLER)
    write(tmp_path, "two.py", LEAKING_HANDLER)

    result = run_check("--statistics", ".")

    [line] = result.stdout.splitlines()
    count, code, *rest = line.split("\t")
    assert (int(count), code) == (2, "EL101")
    assert rest[-1].endswith("thread-not-joined")
    assert result.returncode == 1
