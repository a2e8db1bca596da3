"""Static and dynamic verdicts agree on every runnable fixture of the analysis corpus.

A runnable fixture starts with ``# reproduce: HANDLER``. ``leak-lsp reproduce`` runs it in the
emulated warm container; ``analyze_file`` reads it. Any EL1xx or EL3xx finding means the work
leaks into a later invocation (``leak``), EL201/EL202 that it is dropped (``lost``), no
finding ``clean``. EL902 (work pending where a call raises) is a leak too: a runnable fixture of it
raises on the default event. Findings are taken from the whole file: the rules report them in the
coroutine or helper where the work starts, which need not be the entry point itself.
"""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from leak_lsp.analysis import analyze_file
from tests.runtime.conftest import run_reproduce

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "analysis"
MARKER = re.compile(r"#\s*reproduce:\s*(?P<handler>[\w.]+)")
IDLE = "1.2"  # longer than the longest timer in the corpus, `signal.alarm(1)`
PARALLEL_RUNS = 6


def runnable_fixtures() -> dict[Path, str]:
    """Each fixture whose first line names the handler to reproduce."""
    found: dict[Path, str] = {}
    for path in sorted(CORPUS.rglob("*.py")):
        with path.open(encoding="utf-8") as file:
            marker = MARKER.match(file.readline())
        if marker:
            found[path] = marker["handler"]
    return found


FIXTURES = runnable_fixtures()


def static_verdict(path: Path) -> str:
    codes = {finding.code for finding in analyze_file(path).findings}
    if any(code.startswith(("EL1", "EL3")) for code in codes) or "EL902" in codes:
        return "leak"
    if codes & {"EL201", "EL202"}:
        return "lost"
    return "clean"


def dynamic_report(path: Path, handler: str) -> dict[str, Any]:
    completed = run_reproduce(f"{path}:{handler}", "--format", "json", "--idle", IDLE, "--timeout", "20",
                              cwd=path.parent)
    return json.loads(completed.stdout)


@pytest.fixture(scope="module")
def dynamic_reports() -> dict[Path, dict[str, Any]]:
    with ThreadPoolExecutor(PARALLEL_RUNS) as pool:
        reports = pool.map(dynamic_report, FIXTURES, FIXTURES.values())
        return dict(zip(FIXTURES, reports))


def test_the_corpus_has_runnable_fixtures() -> None:
    assert FIXTURES, f"no fixture under {CORPUS} starts with '# reproduce: HANDLER'"


@pytest.mark.parametrize("path", FIXTURES, ids=[str(path.relative_to(CORPUS)) for path in FIXTURES])
def test_static_and_dynamic_verdicts_agree(path: Path, dynamic_reports: dict[Path, dict[str, Any]]) -> None:
    report = dynamic_reports[path]
    assert report["verdict"] == static_verdict(path), json.dumps(report["events"], indent=2)
