"""``leak-lsp reproduce`` is tested as users run it: a subprocess on a handler file written for the test."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

IDLE = "0.5"  # seconds frozen between invocations: longer than every timer the test handlers arm


@dataclass
class Run:
    exit_code: int
    report: dict[str, Any]
    stderr: str

    def events(self, outcome: str) -> list[dict[str, Any]]:
        return [event for event in self.report["events"] if event["outcome"] == outcome]


def run_reproduce(target: str, *options: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "leak_lsp", "reproduce", target, *options]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=timeout)


@pytest.fixture
def reproduce(tmp_path: Path) -> Callable[..., Run]:
    """Write ``source`` as handler.py and reproduce it with JSON output."""

    def run(source: str, *options: str, handler: str = "lambda_handler") -> Run:
        (tmp_path / "handler.py").write_text(textwrap.dedent(source).lstrip("\n"))
        completed = run_reproduce(f"handler.py:{handler}", "--format", "json", "--idle", IDLE, *options, cwd=tmp_path)
        return Run(completed.returncode, json.loads(completed.stdout), completed.stderr)

    return run
