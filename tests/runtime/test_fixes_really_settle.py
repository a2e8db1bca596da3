"""Quick fixes are proven by running the fixed handler the way a warm container would.

Every fix offered on a runnable fixture of the corpus (safe, unsafe, preferred or not) is
applied, and `leak-lsp reproduce` runs the original and the fixed handler. The fixed one
must leave no work running in another invocation and lose none (verdict ``clean``, or
``error`` with no leak when the original raises: the EL902 fixtures leak on the exception
path), raise nothing the original did not raise, and return what the original returned.
The analyser is not the judge here: the run is.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from leak_lsp.analysis import analyze_file
from leak_lsp.analysis.model import Applicability, Fix
from leak_lsp.analysis.text import apply_edits
from tests.runtime.conftest import run_reproduce
from tests.runtime.test_static_dynamic_agreement import CORPUS, FIXTURES, IDLE

PARALLEL_RUNS = 4
INVOCATIONS = 2  # reproduce's default


@dataclass(frozen=True)
class Case:
    id: str
    fixture: Path
    handler: str
    text: str  # the fixture with the fix applied


def _offered(path: Path) -> list[Fix]:
    return [fix for finding in analyze_file(path).findings for fix in finding.fixes
            if fix.applicability is not Applicability.DISPLAY]


def _fixed_versions() -> list[Case]:
    cases = []
    for path, handler in FIXTURES.items():
        source = path.read_text(encoding="utf-8")
        for fix in _offered(path):
            cases.append(Case(f"{path.relative_to(CORPUS)}:{fix.title}", path, handler, apply_edits(source, fix.edits)))
    return cases


CASES = _fixed_versions()
ORIGINALS = sorted({case.fixture for case in CASES})


def _reproduce(text: str, name: str, handler: str, folder: Path, event: str = "{}") -> dict[str, Any]:
    folder.mkdir(parents=True)
    (folder / name).write_text(text, encoding="utf-8")
    completed = run_reproduce(f"{name}:{handler}", "--format", "json", "--idle", IDLE, "--timeout", "60",
                              "--event", event, cwd=folder)
    report: dict[str, Any] = json.loads(completed.stdout)
    return report


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Every original and every fixed version, run once each, keyed by case id or fixture path."""
    folder = tmp_path_factory.mktemp("fixed")
    jobs = [(str(path), path.read_text(encoding="utf-8"), path, FIXTURES[path]) for path in ORIGINALS]
    jobs += [(case.id, case.text, case.fixture, case.handler) for case in CASES]
    with ThreadPoolExecutor(PARALLEL_RUNS) as pool:
        reports = pool.map(lambda job: _reproduce(job[1], job[2].name, job[3], folder / f"run_{jobs.index(job)}"), jobs)
        return {job[0]: report for job, report in zip(jobs, reports)}


def _exceptions(report: dict[str, Any]) -> list[str | None]:
    """The last line of each invocation's traceback (the exception), or None when it returned."""
    return [invocation["error"].strip().splitlines()[-1] if invocation["error"] else None
            for invocation in report["invocations"]]


def _values(report: dict[str, Any]) -> list[str | None]:
    return [invocation["value"] for invocation in report["invocations"]]


def test_fixes_are_offered_on_leaking_runnable_fixtures() -> None:
    assert len(ORIGINALS) >= 15


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_the_fixed_handler_runs_clean_raises_nothing_new_and_returns_the_same(
        case: Case, runs: dict[str, dict[str, Any]]) -> None:
    assert len(analyze_file(case.fixture).findings) == 1, "a runnable fixture has one leak: its fix settles it all"
    original, fixed = runs[str(case.fixture)], runs[case.id]
    context = json.dumps(fixed, indent=2) + "\n" + case.text
    assert original["verdict"] in ("leak", "lost"), "the fixture must show its leak when run"
    ran = len(original["invocations"])  # a leaked alarm may have killed the original's runtime early
    raised = any(_exceptions(original)) or len(_exceptions(fixed)) > ran and any(_exceptions(fixed)[ran:])
    assert fixed["verdict"] == ("error" if raised else "clean"), context  # ``error``: no leak, no lost work
    assert fixed["events"] == [] and fixed["error"] is None, context  # nothing leaked or lost, the runtime lived
    assert len(fixed["invocations"]) == INVOCATIONS, context
    assert _exceptions(fixed)[:ran] == _exceptions(original), context
    assert _values(fixed)[:ran] == _values(original), context


# ------------------------------------------------------------------ the normal path of a fixture that raises

SUCCEEDS_WITH = re.compile(r"#\s*succeeds with:\s*(?P<event>\{.*\})")


def _succeeding_event(path: Path) -> str | None:
    """The event on which a fixture that leaks by raising (EL902) takes its normal path: its second line."""
    lines = path.read_text(encoding="utf-8").splitlines()
    marker = SUCCEEDS_WITH.match(lines[1]) if len(lines) > 1 else None
    return marker["event"] if marker else None


NORMAL_PATH_CASES = [case for case in CASES if _succeeding_event(case.fixture) is not None]


@pytest.fixture(scope="module")
def normal_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Originals and fixed versions of the fixtures that raise, run on the event that makes them succeed."""
    folder = tmp_path_factory.mktemp("normal")
    originals = sorted({case.fixture for case in NORMAL_PATH_CASES})
    jobs = [(str(path), path.read_text(encoding="utf-8"), path, FIXTURES[path]) for path in originals]
    jobs += [(case.id, case.text, case.fixture, case.handler) for case in NORMAL_PATH_CASES]
    with ThreadPoolExecutor(PARALLEL_RUNS) as pool:
        reports = pool.map(lambda job: _reproduce(job[1], job[2].name, job[3], folder / f"run_{jobs.index(job)}",
                                                  _succeeding_event(job[2]) or "{}"), jobs)
        return {job[0]: report for job, report in zip(jobs, reports)}


def test_every_fixture_that_leaks_by_raising_names_an_event_on_which_it_succeeds() -> None:
    raising = {case.fixture for case in CASES if "EL902" in {f.code for f in analyze_file(case.fixture).findings}}
    assert raising and {path for path in raising if _succeeding_event(path) is None} == set()


@pytest.mark.parametrize("case", NORMAL_PATH_CASES, ids=[case.id for case in NORMAL_PATH_CASES])
def test_on_the_normal_path_the_fixed_handler_returns_what_the_original_returned(
        case: Case, normal_runs: dict[str, dict[str, Any]]) -> None:
    original, fixed = normal_runs[str(case.fixture)], normal_runs[case.id]
    context = json.dumps(fixed, indent=2) + "\n" + case.text
    assert original["verdict"] == "clean" and _exceptions(original) == [None] * INVOCATIONS, json.dumps(original)
    assert fixed["verdict"] == "clean", context
    assert _exceptions(fixed) == [None] * INVOCATIONS, context
    assert _values(fixed) == _values(original), context


# ------------------------------------------------------------------ every kind of fix is proven

def _stdlib_only(path: Path) -> bool:
    try:
        tree = ast.parse(path.read_bytes())
    except (SyntaxError, ValueError):
        return False
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                return False
            modules.add((node.module or "").split(".")[0])
    return modules <= set(sys.stdlib_module_names)


def _kind_of_fix(fix: Fix) -> str:
    """The fix's form and the calls it inserts: ``Wait for the result ... .get()`` differs from ``.result()``."""
    form = re.sub(r"`\w+`", "`NAME`", fix.title)
    calls = sorted(set(re.findall(r"\.(\w+)\(\)|\b(list|with|await)\b", "".join(edit.new_text for edit in fix.edits))))
    return f"{form} {calls}"


def test_every_kind_of_fix_offered_for_standard_library_work_is_proven_on_a_runnable_fixture() -> None:
    proven = {_kind_of_fix(fix) for path in FIXTURES for fix in _offered(path)}
    unproven: dict[str, str] = {}
    for path in sorted(CORPUS.rglob("*.py")):
        if path in FIXTURES or not _stdlib_only(path):
            continue
        for fix in _offered(path):
            unproven.setdefault(_kind_of_fix(fix), str(path.relative_to(CORPUS)))
    assert {kind: path for kind, path in unproven.items() if kind not in proven} == {}
