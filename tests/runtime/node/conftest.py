"""Node handlers are reproduced as users run them: ``leak-lsp reproduce`` as a subprocess, with the real ``node``."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.runtime.conftest import IDLE, Run, run_reproduce

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "node_runtime"
HEADER = re.compile(r"// reproduce: (?P<verdict>leak|clean|error)(?: on (?P<runtime>\S+))?$")
LEAKS_HERE = re.compile(r"// leaks(?: on (?P<runtime>\S+))?")

requires_node = pytest.mark.skipif(shutil.which("node") is None, reason="node is not on PATH: the Node runner needs it")


@dataclass(frozen=True)
class Expectation:
    """What a fixture's first line and its ``// leaks`` comments say a run on ``runtime`` must show."""

    verdict: str
    runtime: str | None
    leak_lines: frozenset[int]


def expectation(path: Path, runtime: str | None = None) -> Expectation:
    lines = path.read_text(encoding="utf-8").splitlines()
    header = HEADER.match(lines[0])
    assert header is not None, f"{path.name}: the first line must be '// reproduce: leak|clean [on RUNTIME]'"
    runtime = runtime or header["runtime"]
    marked = {number for number, line in enumerate(lines, 1)
              if (found := LEAKS_HERE.search(line)) and found["runtime"] in (None, runtime)}
    verdict = "leak" if marked else header["verdict"]
    return Expectation(verdict, runtime, frozenset(marked))


def reproduce_file(path: Path, *options: str, runtime: str | None = None) -> Run:
    arguments = ["--format", "json", "--idle", IDLE, *options, *(["--runtime", runtime] if runtime else [])]
    completed = run_reproduce(str(path), *arguments, cwd=path.parent)
    return Run(completed.returncode, json.loads(completed.stdout), completed.stderr)


def leak_lines(run: Run, path: Path) -> set[int]:
    return {int(event["scheduled_at"].rpartition(":")[2]) for event in run.events("leak")
            if event["scheduled_at"].rpartition(":")[0] == str(path)}


def response_of(run: Run, number: int = 1) -> Any:
    return run.report["invocations"][number - 1]["value"]
