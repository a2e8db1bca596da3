"""``leak-lsp check examples/`` shows real findings: the README's first command."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import RunCheck

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

# What each example leaks, from its own docstring (DOMAIN.md's catalogue).
EXPECTED = {
    "lambda_timeout_watchdog.py": "EL102",  # a Timer not cancelled
    "sigalrm_timeout_guard.py": "EL103",  # alarm(5) never disarmed
    "audit_executor.py": "EL104",  # fire-and-forget submit to a module-level executor
    "asyncio_forgotten_task.py": "EL106",  # a task on a module-level loop, never awaited
    "azure_functions/function_app.py": "EL101",  # a thread never joined
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
