"""The runtime a deployment file names decides the verdict, and running the handler on that runtime
(``leak-lsp reproduce``, with the real ``node``) shows the same: nodejs24.x refuses callback handlers
at init (EL154), nodejs20.x waits for ``context.succeed`` called from a callback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from leak_lsp.analysis import analyze_file
from leak_lsp.analysis.config import Settings
from leak_lsp.project.workspace import Workspace
from tests.runtime.conftest import IDLE, run_reproduce
from tests.runtime.node.conftest import requires_node

RUNTIMES = Path(__file__).resolve().parents[1] / "fixtures" / "javascript" / "runtimes"
REFUSED = "Runtime.CallbackHandlerDeprecated"


def _codes(path: Path, handler: str) -> list[str]:
    report = analyze_file(path, Settings(), Workspace(path.parent, find_deployments=True))
    return [finding.code for finding in report.findings if finding.handler == handler]


def _reproduce(path: Path, handler: str, runtime: str, event: str) -> dict[str, Any]:
    completed = run_reproduce(f"{path.name}:{handler}", "--runtime", runtime, "--event", event, "--format", "json",
                              "--idle", IDLE, "--timeout", "20", cwd=path.parent)
    result: dict[str, Any] = json.loads(completed.stdout)
    return result


@requires_node
def test_the_callback_handler_reported_on_nodejs24_is_refused_there_and_runs_on_nodejs22() -> None:
    path = RUNTIMES / "nodejs24" / "callback_handler.js"
    assert _codes(path, "handler") == ["EL154"]
    refused = _reproduce(path, "handler", "nodejs24.x", '{"id": "a1"}')
    assert REFUSED in (refused["error"] or "") and refused["invocations"] == []
    older = _reproduce(path, "handler", "nodejs22.x", '{"id": "a1"}')
    assert older["error"] is None and older["verdict"] == "clean"


@requires_node
def test_the_async_handler_beside_it_is_not_reported_and_runs_on_nodejs24() -> None:
    path = RUNTIMES / "nodejs24" / "callback_handler.js"
    assert _codes(path, "receipts") == []
    run = _reproduce(path, "receipts", "nodejs24.x", '{"id": "a1"}')
    assert run["error"] is None and run["verdict"] == "clean"
    assert all(invocation["error"] is None for invocation in run["invocations"])


@requires_node
@pytest.mark.parametrize(("runtime", "clean"), [("nodejs20.x", True), ("nodejs24.x", False)])
def test_context_succeed_from_a_callback_is_clean_on_the_runtime_the_deployment_names(runtime: str, clean: bool) -> None:
    """Clean where the analysis says so (nodejs20.x, from serverless.yml); on nodejs24.x, the strictest
    runtime the analysis assumes without a deployment file, the copies outlive the invocation and
    ``context.succeed`` is gone (a leak, or the TypeError's crash first)."""
    path = RUNTIMES / "nodejs20" / "context_done.js"
    assert _codes(path, "replicate") == []
    assert (_reproduce(path, "replicate", runtime, '{"records": [1, 2]}')["verdict"] == "clean") is clean
