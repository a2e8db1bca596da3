"""EL910: a leak-lsp code in a noqa comment that suppresses nothing, reported and removed by ``--fix``."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import CLEAN_HANDLER, RunCheck, write

STALE = CLEAN_HANDLER.replace("    worker.start()\n", "    worker.start()  # noqa: EL101, E501\n") \
                     .replace("    worker.join()\n", "    worker.join()  # noqa: EL101\n")


def test_stale_codes_are_reported_where_the_comment_names_them(tmp_path: Path, run_check: RunCheck) -> None:
    write(tmp_path, "handler.py", STALE)

    entries = json.loads(run_check("--format", "json", "handler.py").stdout)

    assert [(entry["code"], entry["location"]) for entry in entries] == [
        ("EL910", {"row": 10, "column": 29}),
        ("EL910", {"row": 11, "column": 28}),
    ]


def test_fix_drops_the_stale_code_and_keeps_other_tools_codes(tmp_path: Path, run_check: RunCheck) -> None:
    handler = write(tmp_path, "handler.py", STALE)

    result = run_check("--fix", "handler.py")

    assert handler.read_text(encoding="utf-8") == CLEAN_HANDLER.replace(
        "    worker.start()\n", "    worker.start()  # noqa: E501\n")
    assert result.returncode == 0


def test_a_comment_that_cannot_be_cut_cleanly_is_reported_but_not_fixed(tmp_path: Path, run_check: RunCheck) -> None:
    source = CLEAN_HANDLER.replace("    worker.join()\n", "    worker.join()  # noqa: EL1O1\n")
    handler = write(tmp_path, "handler.py", source)

    result = run_check("--fix", "handler.py")

    assert handler.read_text(encoding="utf-8") == source
    assert "EL910 unused `noqa` directive: `EL1` is no leak-lsp rule" in result.stdout
