"""``leak-lsp check examples/`` shows real findings: the README's first command."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.cli.conftest import RunCheck

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"

# What each example leaks, from its own docstring.
EXPECTED = {
    "lambda_timeout_watchdog.py": "EL102",  # a Timer not cancelled
    "sigalrm_timeout_guard.py": "EL103",  # alarm(5) never disarmed
    "audit_executor.py": "EL104",  # fire-and-forget submit to a module-level executor
    "asyncio_forgotten_task.py": "EL106",  # a task on a module-level loop, never awaited
    "azure_functions/function_app.py": "EL101",  # a thread never joined
    # standard library only, run by ``leak-lsp reproduce`` (tests/runtime/test_examples.py)
    "audit_thread.py": "EL101",
    "slow_request_timer.py": "EL102",
    "alarm_budget_guard.py": "EL103",
    "metrics_executor.py": "EL104",
    "thumbnail_popen.py": "EL105",
    "webhook_task_loop.py": "EL106",
}


def findings_by_file(run_check: RunCheck) -> dict[str, set[str]]:
    entries = json.loads(run_check("--format", "json", ".", cwd=EXAMPLES).stdout)
    found: dict[str, set[str]] = {}
    for entry in entries:
        found.setdefault(Path(entry["filename"]).relative_to(EXAMPLES).as_posix(), set()).add(entry["code"])
    return found


def test_every_leaking_example_reports_its_leak(run_check: RunCheck) -> None:
    found = findings_by_file(run_check)

    assert {name: code for name, code in EXPECTED.items() if code not in found.get(name, set())} == {}


def test_the_fixed_examples_are_clean(run_check: RunCheck) -> None:
    found = findings_by_file(run_check)

    assert {name: codes for name, codes in found.items() if name.startswith("fixed/")} == {}


def test_every_fixed_example_has_a_leaking_original() -> None:
    fixed = {path.name for path in (EXAMPLES / "fixed").glob("*.py")}

    assert fixed and fixed <= {Path(name).name for name in EXPECTED}


def test_the_examples_exit_1(run_check: RunCheck) -> None:
    assert run_check(".", cwd=EXAMPLES).returncode == 1


def test_the_readme_quick_start_shows_what_check_examples_prints(run_check: RunCheck) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = re.search(r"leak-lsp check examples/\n```\n\n```text\n(.*?)```", readme, re.DOTALL)

    assert shown is not None, "the quick start's output block is missing"
    assert shown[1] == run_check("examples/", cwd=ROOT).stdout
