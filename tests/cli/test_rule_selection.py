"""``--select``, ``--ignore``, ``--extend-select`` and ``--severity`` on top of pyproject.toml."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import LEAKING_HANDLER, RunCheck, write


@pytest.fixture(autouse=True)
def leaking_handler(tmp_path: Path) -> Path:
    return write(tmp_path, "handler.py", LEAKING_HANDLER)


def codes(run_check: RunCheck, *arguments: str) -> list[str]:
    return [entry["code"] for entry in json.loads(run_check("--format", "json", *arguments, ".").stdout)]


def test_ignore_drops_a_code(run_check: RunCheck) -> None:
    assert codes(run_check, "--ignore", "EL101") == []


def test_ignore_takes_a_prefix(run_check: RunCheck) -> None:
    assert codes(run_check, "--ignore", "EL1") == []


def test_select_keeps_only_the_selected_codes(run_check: RunCheck) -> None:
    assert codes(run_check, "--select", "EL2,EL3") == []
    assert codes(run_check, "--select", "EL101") == ["EL101"]


def test_select_replaces_the_configured_selection(tmp_path: Path, run_check: RunCheck) -> None:
    write(tmp_path, "pyproject.toml", '[tool.leak-lsp]\nselect = ["EL2"]\n')

    assert codes(run_check) == []
    assert codes(run_check, "--select", "EL1") == ["EL101"]


def test_extend_select_adds_to_the_configured_selection(tmp_path: Path, run_check: RunCheck) -> None:
    write(tmp_path, "pyproject.toml", '[tool.leak-lsp]\nselect = ["EL2"]\n')

    assert codes(run_check, "--extend-select", "EL101") == ["EL101"]


def test_severity_remaps_one_code(run_check: RunCheck) -> None:
    [entry] = json.loads(run_check("--format", "json", "--severity", "EL101=information", ".").stdout)

    assert entry["severity"] == "information"


def test_a_bad_severity_level_is_a_usage_error(run_check: RunCheck) -> None:
    result = run_check("--severity", "EL101=fatal", ".")

    assert result.returncode == 2
    assert "fatal" in result.stderr
