"""Every runnable fixture of tests/fixtures/node_runtime shows, when really run, the verdict its first line states
and leaks scheduled exactly at the lines marked ``// leaks``."""

from __future__ import annotations

from pathlib import Path

import pytest

from leak_lsp.runtime.node import node_version
from tests.runtime.node.conftest import FIXTURES, expectation, leak_lines, reproduce_file, requires_node

pytestmark = requires_node
RUNNABLE = sorted(path for path in FIXTURES.iterdir() if path.suffix in (".js", ".mjs", ".cjs"))


@pytest.mark.parametrize("path", RUNNABLE, ids=[path.name for path in RUNNABLE])
def test_fixture_runs_with_the_stated_verdict(path: Path) -> None:
    expected = expectation(path)
    run = reproduce_file(path, runtime=expected.runtime)
    assert run.report["error"] is None, run.report["error"]
    assert run.report["verdict"] == expected.verdict
    assert run.exit_code == (0 if expected.verdict == "clean" else 1)
    assert leak_lines(run, path) == expected.leak_lines


def test_typescript_runs_where_node_strips_types_and_is_refused_with_the_reason_elsewhere() -> None:
    import shutil

    path = FIXTURES / "typescript_floating.ts"
    run = reproduce_file(path)
    if node_version(shutil.which("node") or "node") >= (22, 6):
        assert run.report["verdict"] == "leak"
        assert leak_lines(run, path) == expectation(path).leak_lines
    else:
        assert run.exit_code == 2
        assert "cannot run TypeScript" in run.report["error"]
