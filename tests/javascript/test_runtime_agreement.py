"""Static verdicts and fixes checked against real runs: each runnable fixture's handler is
invoked once under Node by ``node_probe.mjs`` (the invocation ends as Lambda's runtime
ends it; callbacks that run afterwards for resources the invocation created are leaks)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from leak_lsp.analysis import analyze_file
from leak_lsp.analysis.config import Settings
from leak_lsp.analysis.fix_all import fix_source

from .corpus import Fixture, all_fixtures

NODE = shutil.which("node")
PROBE = Path(__file__).with_name("node_probe.mjs")
RUNNABLE = [fixture for fixture in all_fixtures() if fixture.runnable]
LEAKING = [fixture for fixture in RUNNABLE if fixture.expectations]

pytestmark = pytest.mark.skipif(NODE is None, reason="Node.js is not installed")


def probe(path: Path) -> dict[str, Any]:
    assert NODE is not None
    completed = subprocess.run([NODE, str(PROBE), str(path)], capture_output=True, text=True, timeout=60, check=False)
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_there_are_runnable_fixtures_of_both_verdicts() -> None:
    assert len(LEAKING) >= 12 and len(RUNNABLE) - len(LEAKING) >= 8


@pytest.mark.parametrize("fixture", RUNNABLE, ids=lambda fixture: fixture.id)
def test_static_verdict_agrees_with_a_run(fixture: Fixture) -> None:
    outcome = probe(fixture.path)
    assert bool(outcome["leaked"]) == bool(fixture.expectations), outcome


def _fixed(fixture: Fixture) -> str | None:
    report = analyze_file(fixture.path)
    fixed = fix_source(fixture.path.read_text(encoding="utf-8"), report, Settings(), unsafe=True)
    return fixed.text if fixed.applied else None


FIXABLE = [fixture for fixture in LEAKING if _fixed(fixture) is not None]


def test_most_leaking_runnable_fixtures_have_a_fix() -> None:
    assert len(FIXABLE) >= len(LEAKING) - 4, sorted(f.id for f in set(LEAKING) - set(FIXABLE))


@pytest.mark.parametrize("fixture", FIXABLE, ids=lambda fixture: fixture.id)
def test_fixed_handler_runs_without_leak_and_returns_the_same(fixture: Fixture, tmp_path: Path) -> None:
    before = probe(fixture.path)
    fixed_path = tmp_path / fixture.path.name
    fixed_path.write_text(_fixed(fixture) or "", encoding="utf-8")
    after = probe(fixed_path)
    assert after["leaked"] == [] and after["result"] == before["result"], (before, after)
    assert analyze_file(fixed_path).findings == []
