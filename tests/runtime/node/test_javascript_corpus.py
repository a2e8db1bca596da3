"""The static analysis and ``leak-lsp reproduce`` agree on every runnable JavaScript fixture, and every fix the
analysis offers there is proven by running the fixed handler.

A runnable fixture of tests/fixtures/javascript starts with ``// runnable``, optionally followed by the JSON
event its invocations get (default ``{}``), so that the path the analysis reports is the path the run takes.
Each handler the analysis finds is run on the runtimes of its platform; a runtime that refuses the handler
at init (nodejs24.x and callback handlers) does not apply to it. Any EL1xx-EL3xx finding in the file means
``leak``, none ``clean``.
"""

from __future__ import annotations

import json
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from leak_lsp.analysis import analyze_file, analyze_source
from leak_lsp.analysis.config import Settings
from leak_lsp.analysis.fix_all import fix_source
from leak_lsp.analysis.model import Applicability, Finding, Fix
from leak_lsp.analysis.text import apply_edits
from tests.runtime.conftest import IDLE, run_reproduce
from tests.runtime.node.conftest import requires_node

pytestmark = requires_node
CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "javascript"
MARKER = re.compile(r"// runnable(?P<event>\s+\{.*\})?\s*$")
RUNTIMES = {"aws-lambda": ("nodejs22.x", "nodejs24.x"), "configured": ("nodejs22.x", "nodejs24.x"),
            "gcp-functions": ("gcf-http",), "azure-functions": ("azure-v3",)}
REFUSED_AT_INIT = "Runtime.CallbackHandlerDeprecated"
PARALLEL_RUNS = 4


@dataclass(frozen=True)
class Runnable:
    path: Path
    event: str
    targets: tuple[tuple[str, str], ...]  # (handler, runtime)


def runnable_fixtures() -> list[Runnable]:
    found = []
    for path in sorted(CORPUS.rglob("*")):
        if not path.is_file() or path.suffix not in (".js", ".mjs", ".cjs"):
            continue
        marker = MARKER.match(path.read_text(encoding="utf-8").split("\n", 1)[0])
        if marker is None:
            continue
        handlers = analyze_file(path).handlers
        targets = tuple((handler.name, runtime) for handler in handlers for runtime in RUNTIMES[handler.platform])
        found.append(Runnable(path, (marker["event"] or "{}").strip(), targets))
    return found


FIXTURES = runnable_fixtures()


def static_verdict(findings: list[Finding]) -> str:
    return "leak" if any(finding.code.startswith(("EL1", "EL2", "EL3")) for finding in findings) else "clean"


def reproduce(path: Path, event: str, handler: str, runtime: str) -> dict[str, Any]:
    completed = run_reproduce(f"{path}:{handler}", "--runtime", runtime, "--event", event, "--format", "json",
                              "--idle", IDLE, "--timeout", "20", cwd=path.parent)
    return json.loads(completed.stdout)


def applicable(report: dict[str, Any]) -> bool:
    return REFUSED_AT_INIT not in (report["error"] or "")


def answers(report: dict[str, Any]) -> bool:
    """The handler works on this runtime: some invocation answered (``context.succeed`` is gone from nodejs24.x, so
    a handler calling it only throws there and has no answer a fix must keep)."""
    return applicable(report) and any(invocation["error"] is None for invocation in report["invocations"])


def dynamic_verdict(reports: list[dict[str, Any]]) -> str:
    """Work still pending when the last invocation ends (``lost``) is work that would run in the next one: a
    leak whose timer was short enough to fire inside the first invocation's few milliseconds of tail."""
    verdicts = {report["verdict"] for report in reports}
    return "leak" if verdicts & {"leak", "lost"} else "clean"


def run_all(fixture: Runnable, path: Path | None = None) -> list[dict[str, Any]]:
    return [reproduce(path or fixture.path, fixture.event, handler, runtime) for handler, runtime in fixture.targets]


@pytest.fixture(scope="module")
def original_runs() -> dict[Path, list[dict[str, Any]]]:
    with ThreadPoolExecutor(PARALLEL_RUNS) as pool:
        return dict(zip((fixture.path for fixture in FIXTURES), pool.map(run_all, FIXTURES)))


def test_the_corpus_has_runnable_fixtures_with_handlers() -> None:
    assert FIXTURES, f"no fixture under {CORPUS} starts with '// runnable'"
    assert all(fixture.targets for fixture in FIXTURES), [str(f.path) for f in FIXTURES if not f.targets]


@pytest.mark.parametrize("fixture", FIXTURES, ids=[str(fixture.path.relative_to(CORPUS)) for fixture in FIXTURES])
def test_static_and_dynamic_verdicts_agree(fixture: Runnable, original_runs: dict[Path, list[dict[str, Any]]]) -> None:
    reports = [report for report in original_runs[fixture.path] if applicable(report)]
    assert reports, f"every runtime refused {fixture.path.name} at init"
    assert all(report["error"] is None or report["verdict"] != "clean" for report in reports), [r["error"] for r in reports]
    events = json.dumps([report["events"] for report in reports], indent=2)
    assert dynamic_verdict(reports) == static_verdict(analyze_file(fixture.path).findings), events


# ---------------------------------------------------------------- fixes, applied and run


@dataclass(frozen=True)
class FixCase:
    id: str
    fixture: Runnable
    text: str | None  # the fixture with this fix applied, then every other finding fixed as ``check --fix`` would


def _usable(fixes: tuple[Fix, ...]) -> list[Fix]:
    return [fix for fix in fixes if fix.applicability is not Applicability.DISPLAY]


def _fix_the_rest(text: str, path: Path) -> str:
    """The other findings fixed round after round, as the server's fixAll and ``check --fix --unsafe-fixes`` do."""
    return fix_source(text, analyze_source(text, str(path)), Settings(), unsafe=True).text


def fix_cases() -> list[FixCase]:
    """Each fix of each finding, with the rest of the file fixed too, so that the whole file should settle."""
    cases = []
    for fixture in FIXTURES:
        source = fixture.path.read_text(encoding="utf-8")
        for finding in analyze_file(fixture.path).findings:
            for fix in _usable(finding.fixes):
                case_id = f"{fixture.path.relative_to(CORPUS)}:{finding.span.start.line + 1}:{finding.code}:{fix.title}"
                try:
                    fixed: str | None = _fix_the_rest(apply_edits(source, fix.edits), fixture.path)
                except ValueError:  # the fix's own edits overlap: no editor can apply it
                    fixed = None
                cases.append(FixCase(case_id, fixture, fixed))
    return cases


CASES = fix_cases()


def test_fixes_are_offered_on_leaking_runnable_fixtures() -> None:
    leaking = [fixture.path.name for fixture in FIXTURES if analyze_file(fixture.path).findings]
    fixed = {case.fixture.path.name for case in CASES}
    assert fixed, f"the analysis offers no fix on any of the leaking runnable fixtures {leaking}"


@pytest.fixture(scope="module")
def fixed_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    base = tmp_path_factory.mktemp("fixed")  # here, not in the threads: mktemp is not thread-safe

    def run(case: FixCase, number: int) -> list[dict[str, Any]]:
        if case.text is None:
            return []
        folder = base / f"case{number}"
        shutil.copytree(case.fixture.path.parent, folder, dirs_exist_ok=True)  # relative imports still resolve
        target = folder / case.fixture.path.name
        target.write_text(case.text, encoding="utf-8")
        return run_all(case.fixture, target)

    with ThreadPoolExecutor(PARALLEL_RUNS) as pool:
        return dict(zip((case.id for case in CASES), pool.map(run, CASES, range(len(CASES)))))


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_the_fixed_handler_settles_its_work_and_answers_as_before(
        case: FixCase, fixed_runs: dict[str, list[dict[str, Any]]],
        original_runs: dict[Path, list[dict[str, Any]]]) -> None:
    assert case.text is not None, "the fix's edits overlap one another, so it cannot be applied"
    compared = [(before, after) for before, after in zip(original_runs[case.fixture.path], fixed_runs[case.id])
                if answers(before)]
    assert compared, "the original handler answers on none of its runtimes"
    for before, after in compared:
        assert after["verdict"] == "clean", json.dumps(after["events"], indent=2) + "\n" + case.text
        assert after["error"] is None, after["error"]
        assert [(i["error"], i["value"]) for i in after["invocations"]] == \
               [(i["error"], i["value"]) for i in before["invocations"]], case.text


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_the_analysis_finds_the_fixed_handler_clean(case: FixCase) -> None:
    assert case.text is not None, "the fix's edits overlap one another, so it cannot be applied"
    assert static_verdict(analyze_source(case.text, str(case.fixture.path)).findings) == "clean", case.text
