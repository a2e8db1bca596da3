"""The pre-commit hook: its command runs as declared, and it is handed the files ``check`` reads."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from leak_lsp.project.discovery import is_deployment_name
from tests.cli.conftest import LEAKING_HANDLER, write

HOOKS = Path(__file__).parents[2] / ".pre-commit-hooks.yaml"
[HOOK] = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))


def run_hook(folder: Path, *files: str) -> subprocess.CompletedProcess[str]:
    """The hook's entry as pre-commit runs it: the staged file names appended."""
    program, *arguments = shlex.split(HOOK["entry"])
    assert program == "leak-lsp"
    command = [sys.executable, "-m", "leak_lsp", *arguments, *files]
    return subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=120)


def test_the_hook_fails_on_a_leak(tmp_path: Path) -> None:
    write(tmp_path, "handler.py", LEAKING_HANDLER)

    result = run_hook(tmp_path, "handler.py")

    assert result.returncode == 1
    assert "handler.py:9:5: EL101" in result.stdout


def test_the_hook_keeps_exclude_in_force_for_staged_files(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.leak-lsp]\nexclude = ["fixtures"]\n')
    write(tmp_path, "fixtures/leaks.py", LEAKING_HANDLER)

    result = run_hook(tmp_path, "fixtures/leaks.py")

    assert result.returncode == 0
    assert "EL101" not in result.stdout


@pytest.mark.parametrize("name", [
    "handler.py", "pkg/app.py", "template.yaml", "infra/template.yml", "api.template.json", "serverless.yml",
    "fn/function.json", "main.tf", ".github/workflows/ci.yml", "templates.yaml", "package.json", "README.md",
])
def test_the_hook_is_handed_exactly_what_check_reads(name: str) -> None:
    handed = re.search(HOOK["files"], name) is not None

    assert handed == (name.endswith(".py") or is_deployment_name(Path(name)))
