"""A configuration that would silently switch checking off is an error (exit 2) naming the
file, the key and, for a typo, the nearest right value."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.cli.conftest import LEAKING_HANDLER, RunCheck, write
from tests.cli.lsp_stdio import session

CASES = {
    "a prefix that selects nothing": ('select = ["EL17"]', "`select`", "'EL17' selects no rule"),
    "a lower-case code": ('select = ["el101"]', "`select`", "did you mean EL101?"),
    "an unknown code": ('select = ["EL999"]', "`select`", "'EL999' selects no rule"),
    "an unknown code in ignore": ('ignore = ["EL1O1"]', "`ignore`", "did you mean EL101?"),
    "an unknown code in extend-select": ('extend-select = ["EL2O1"]', "`extend-select`", "did you mean EL201?"),
    "an unknown severity": ('severity = { EL101 = "fatal" }', "`severity.EL101`", "unknown severity 'fatal'"),
    "a misspelt severity": ('severity = { EL101 = "warn" }', "`severity.EL101`", "did you mean warning?"),
    "an unknown code in severity": ('severity = { EL17 = "hint" }', "`severity`", "'EL17' selects no rule"),
    "a handler without a function": ('handlers = ["app.py"]', "`handlers`", "not `path/glob.py:function_glob`"),
    "a handler with an empty function": ('handlers = ["app.py:"]', "`handlers`", "not `path/glob.py:function_glob`"),
    "an unknown key": ('selct = ["EL1"]', "unknown setting `selct`", "did you mean select?"),
    "a key of the wrong type": ("select = 3", "`select`", "must be a list of strings"),
}


@pytest.mark.parametrize("case", CASES)
def test_a_bad_pyproject_setting_is_exit_2_with_file_key_and_hint(case: str, tmp_path: Path, run_check: RunCheck) -> None:
    setting, key, hint = CASES[case]
    write(tmp_path, "pyproject.toml", f"[tool.leak-lsp]\n{setting}\n")
    write(tmp_path, "handler.py", LEAKING_HANDLER)

    result = run_check("handler.py")

    assert result.returncode == 2
    assert str(tmp_path / "pyproject.toml") in result.stderr
    assert key in result.stderr and hint in result.stderr
    assert "All checked" not in result.stdout


@pytest.mark.parametrize("arguments, hint", [
    (["--select", "EL17"], "'EL17' selects no rule"),
    (["--select", "el101"], "did you mean EL101?"),
    (["--ignore", "EL999"], "'EL999' selects no rule"),
    (["--severity", "EL101=warn"], "did you mean warning?"),
])
def test_a_bad_command_line_selection_is_exit_2_with_a_hint(arguments: list[str], hint: str, tmp_path: Path,
                                                            run_check: RunCheck) -> None:
    write(tmp_path, "handler.py", LEAKING_HANDLER)

    result = run_check(*arguments, "handler.py")

    assert result.returncode == 2
    assert hint in result.stderr


def test_good_settings_are_accepted(tmp_path: Path, run_check: RunCheck) -> None:
    write(tmp_path, "pyproject.toml", '[tool.leak-lsp]\nselect = ["EL1", "ALL"]\nignore = ["EL9"]\n'
          'severity = { EL1 = "Warning" }\nhandlers = ["src/*.py:handle_*"]\nextend-exclude = ["build2"]\n')
    write(tmp_path, "handler.py", LEAKING_HANDLER)

    result = run_check("handler.py")

    assert result.returncode == 1, result.stderr
    assert "EL101" in result.stdout


def test_the_server_rejects_the_same_client_settings_with_the_same_hint(tmp_path: Path) -> None:
    handler = write(tmp_path, "handler.py", LEAKING_HANDLER)

    messages = session([sys.executable, "-m", "leak_lsp", "serve"], tmp_path, handler, {"select": ["el101"]})

    shown = [message["params"]["message"] for message in messages if message.get("method") == "window/showMessage"]
    assert any("did you mean EL101?" in text for text in shown), shown
    [pulled] = [message for message in messages if message.get("id") == 2]
    assert [item["code"] for item in pulled["result"]["items"]] == ["EL101"]  # the defaults still check
