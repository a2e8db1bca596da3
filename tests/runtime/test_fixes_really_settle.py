"""Quick fixes are proven by running the fixed handler the way a warm container would.

Every fix offered on a runnable fixture of the corpus is applied; `leak-lsp reproduce`
must then see no work from one invocation running in another, and no work lost.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from leak_lsp.analysis import analyze_file
from leak_lsp.analysis.model import Applicability
from leak_lsp.analysis.text import apply_edits
from tests.runtime.conftest import run_reproduce
from tests.runtime.test_static_dynamic_agreement import CORPUS, FIXTURES, IDLE

PARALLEL_RUNS = 6


def _fixed_versions() -> list[tuple[str, Path, str, str]]:
    """(id, fixture, handler, fixed text) for every fix of every finding of a runnable fixture."""
    cases = []
    for path, handler in FIXTURES.items():
        source = path.read_text(encoding="utf-8")
        report = analyze_file(path)
        for finding in report.findings:
            for fix in finding.fixes:
                if fix.applicability is Applicability.DISPLAY:
                    continue
                case_id = f"{path.relative_to(CORPUS)}:{finding.code}:{fix.title}"
                cases.append((case_id, path, handler, apply_edits(source, fix.edits)))
    return cases


CASES = _fixed_versions()


def _reproduce(case: tuple[str, Path, str, str], folder: Path) -> dict[str, Any]:
    case_id, path, handler, text = case
    target = folder / f"case_{abs(hash(case_id))}" / path.name
    target.parent.mkdir()
    target.write_text(text, encoding="utf-8")
    completed = run_reproduce(f"{target.name}:{handler}", "--format", "json", "--idle", IDLE, "--timeout", "20",
                              cwd=target.parent)
    return json.loads(completed.stdout)


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    folder = tmp_path_factory.mktemp("fixed")
    with ThreadPoolExecutor(PARALLEL_RUNS) as pool:
        results = pool.map(lambda case: _reproduce(case, folder), CASES)
        return {case[0]: result for case, result in zip(CASES, results)}


def test_fixes_are_offered_on_leaking_runnable_fixtures() -> None:
    assert len({case[1] for case in CASES}) >= 5


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_the_fixed_handler_no_longer_leaks_when_run(case: tuple[str, Path, str, str],
                                                   reports: dict[str, dict[str, Any]]) -> None:
    _, path, _, text = case
    assert len(analyze_file(path).findings) == 1, "a runnable fixture has one leak, so that one fix settles it all"
    report = reports[case[0]]
    assert report["verdict"] == "clean", json.dumps(report["events"], indent=2) + "\n" + text
