"""``leak-lsp check`` is tested as users run it: ``python -m leak_lsp check`` in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

# A handler that starts a thread and never joins it: EL101 on the line of the call.
LEAKING_HANDLER = """\
import threading


def work():
    pass


def lambda_handler(event, context):
    threading.Thread(target=work).start()
    return {"statusCode": 200}
"""

# The same handler, settled: nothing to report.
CLEAN_HANDLER = """\
import threading


def work():
    pass


def lambda_handler(event, context):
    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    return {"statusCode": 200}
"""

LEAK_LINE = 9  # 1-based line of ``threading.Thread(...).start()`` in LEAKING_HANDLER

RunCheck = Callable[..., subprocess.CompletedProcess[str]]


def _environment() -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if key not in ("NO_COLOR", "FORCE_COLOR")}
    environment["PYTHONIOENCODING"] = "utf-8"
    return environment


@pytest.fixture
def run_check(tmp_path: Path) -> RunCheck:
    """Run ``leak-lsp check`` with the given arguments in ``tmp_path`` (or ``cwd=``)."""

    def run(*arguments: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "leak_lsp", "check", *arguments],
            cwd=cwd or tmp_path,
            env={**_environment(), **(env or {})},
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=120,
        )

    return run


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
