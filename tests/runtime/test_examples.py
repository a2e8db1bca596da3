"""The standard-library examples leak when ``leak-lsp reproduce`` runs them, and their fixed twins do not."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.runtime.conftest import run_reproduce

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
RUNNABLE = ("audit_thread.py", "slow_request_timer.py", "alarm_budget_guard.py", "metrics_executor.py",
            "thumbnail_popen.py", "webhook_task_loop.py")
TARGETS = [Path(name) for name in RUNNABLE] + [Path("fixed") / name for name in RUNNABLE]


@pytest.fixture(scope="module")
def reports() -> dict[Path, dict[str, Any]]:
    """Each example run as examples/README.md shows it, from the repository root."""

    def run(target: Path) -> dict[str, Any]:
        completed = run_reproduce(str(Path("examples") / target), "--format", "json", cwd=EXAMPLES.parent)
        report: dict[str, Any] = json.loads(completed.stdout)
        return report | {"exit_code": completed.returncode}

    with ThreadPoolExecutor(4) as pool:
        return dict(zip(TARGETS, pool.map(run, TARGETS)))


@pytest.mark.parametrize("name", RUNNABLE)
def test_the_example_leaks_out_of_its_invocation(name: str, reports: dict[Path, dict[str, Any]]) -> None:
    report = reports[Path(name)]
    leaks = [event for event in report["events"] if event["outcome"] == "leak"]
    assert (report["verdict"], report["exit_code"]) == ("leak", 1), json.dumps(report, indent=2)
    assert {event["scheduled_in"] for event in leaks} == {"invocation 1"}  # run in the idle gap or invocation 2


@pytest.mark.parametrize("name", RUNNABLE)
def test_its_fixed_twin_is_clean(name: str, reports: dict[Path, dict[str, Any]]) -> None:
    report = reports[Path("fixed") / name]
    assert (report["verdict"], report["exit_code"], report["events"]) == ("clean", 0, []), json.dumps(report, indent=2)
    assert all(invocation["error"] is None for invocation in report["invocations"])
