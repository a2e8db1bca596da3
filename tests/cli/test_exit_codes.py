"""Exit status: 0 clean, 1 findings, 2 usage or configuration errors."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import CLEAN_HANDLER, LEAKING_HANDLER, RunCheck, write


def test_clean_files_exit_0(tmp_path: Path, run_check: RunCheck) -> None:
    write(tmp_path, "clean.py", CLEAN_HANDLER)

    assert run_check(".").returncode == 0


def test_a_finding_exits_1(tmp_path: Path, run_check: RunCheck) -> None:
    write(tmp_path, "handler.py", LEAKING_HANDLER)

    assert run_check(".").returncode == 1


def test_an_unknown_option_exits_2(tmp_path: Path, run_check: RunCheck) -> None:
    result = run_check("--no-such-option", ".")

    assert result.returncode == 2
    assert "--no-such-option" in result.stderr


def test_an_unknown_rule_code_exits_2(tmp_path: Path, run_check: RunCheck) -> None:
    result = run_check("--select", "XY123", ".")

    assert result.returncode == 2
    assert "XY123" in result.stderr


def test_a_malformed_pyproject_exits_2_and_names_the_file(tmp_path: Path, run_check: RunCheck) -> None:
    write(tmp_path, "handler.py", LEAKING_HANDLER)
    write(tmp_path, "pyproject.toml", "[tool.leak-lsp]\nselect = [\n")

    result = run_check(".")

    assert result.returncode == 2
    assert "pyproject.toml" in result.stderr
    assert result.stdout == ""


def test_an_unknown_setting_exits_2(tmp_path: Path, run_check: RunCheck) -> None:
    write(tmp_path, "handler.py", LEAKING_HANDLER)
    write(tmp_path, "pyproject.toml", '[tool.leak-lsp]\nselct = ["EL1"]\n')

    result = run_check(".")

    assert result.returncode == 2
    assert "selct" in result.stderr


def test_a_missing_path_exits_2_after_checking_the_others(tmp_path: Path, run_check: RunCheck) -> None:
    write(tmp_path, "handler.py", LEAKING_HANDLER)

    result = run_check("no_such_file.py", "handler.py")

    assert result.returncode == 2
    assert "no_such_file.py" in result.stderr
    assert "handler.py:" in result.stdout
