"""One settings overlay: the command line over pyproject.toml in ``check`` means what the
editor's settings over pyproject.toml mean in the server (docs/configuration.md)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import RunCheck, write
from tests.cli.lsp_stdio import pulled_diagnostics

HANDLER = """\
import threading


def work():
    pass


def lambda_handler(event, context):
    threading.Thread(target=work).start()
    threading.Timer(5, work).start()
    return {"statusCode": 200}
"""

PYPROJECT = '[tool.leak-lsp]\nignore = ["EL101"]\n'

# (command-line arguments, the same overlay as client settings, codes and severities expected)
OVERLAYS: dict[str, tuple[list[str], dict[str, Any], list[tuple[str, str]]]] = {
    "nothing on top": ([], {}, [("EL102", "error")]),
    "select starts afresh": (["--select", "EL1"], {"select": ["EL1"]}, [("EL101", "error"), ("EL102", "error")]),
    "extend-select turns an ignored code back on":
        (["--extend-select", "EL101"], {"extend-select": ["EL101"]}, [("EL101", "error"), ("EL102", "error")]),
    "ignore adds to the project's": (["--ignore", "EL102"], {"ignore": ["EL102"]}, []),
    "severity wins per code":
        (["--severity", "EL102=hint"], {"severity": {"EL102": "hint"}}, [("EL102", "hint")]),
}

LSP_SEVERITIES = {1: "error", 2: "warning", 3: "information", 4: "hint"}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write(tmp_path, "pyproject.toml", PYPROJECT)
    write(tmp_path, "handler.py", HANDLER)
    return tmp_path


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_check_applies_the_overlay(overlay: str, project: Path, run_check: RunCheck) -> None:
    arguments, _, expected = OVERLAYS[overlay]

    result = run_check("--format", "json", *arguments, "handler.py")

    assert [(item["code"], item["severity"]) for item in json.loads(result.stdout)] == expected


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_server_applies_the_same_overlay(overlay: str, project: Path) -> None:
    _, settings, expected = OVERLAYS[overlay]

    items = pulled_diagnostics([sys.executable, "-m", "leak_lsp", "serve"], project, project / "handler.py", settings)

    assert sorted((item["code"], LSP_SEVERITIES[item["severity"]]) for item in items) == expected
