"""``check`` on a file with no workspace imports loads neither the LSP stack nor jedi (issue 10.4)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.cli.conftest import LEAKING_HANDLER, write

HEAVY = ("pygls", "lsprotocol", "jedi")
_IMPORTED = re.compile(r"^import time:\s+\d+ \|\s+\d+ \|\s*(\S+)", re.MULTILINE)


def imported_modules(folder: Path, *arguments: str) -> set[str]:
    """The modules ``python -X importtime -m leak_lsp`` imports, by their top-level package."""
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "leak_lsp", *arguments], cwd=folder,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode in (0, 1), result.stderr[-2000:]
    return {name.split(".")[0] for name in _IMPORTED.findall(result.stderr)}


def test_check_of_a_self_contained_file_imports_no_lsp_and_no_jedi(tmp_path: Path) -> None:
    write(tmp_path, "handler.py", LEAKING_HANDLER)

    imported = imported_modules(tmp_path, "check", "handler.py")

    assert "leak_lsp" in imported  # the measurement works
    assert imported.isdisjoint(HEAVY)


def test_check_imports_jedi_when_a_file_calls_into_the_workspace(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", "[project]\nname = 'demo'\n")
    write(tmp_path, "helpers.py", "import threading\n\n\ndef start():\n    threading.Thread(target=print).start()\n")
    write(tmp_path, "handler.py", "from helpers import start\n\n\ndef lambda_handler(event, context):\n    start()\n")

    imported = imported_modules(tmp_path, "check", "handler.py")

    assert "jedi" in imported and imported.isdisjoint({"pygls", "lsprotocol"})


def test_check_without_a_yaml_deployment_file_does_not_import_the_yaml_parser(tmp_path: Path) -> None:
    write(tmp_path, "handler.py", LEAKING_HANDLER)

    imported = imported_modules(tmp_path, "check", "handler.py")

    assert "leak_lsp" in imported and "yaml" not in imported


def test_check_imports_the_yaml_parser_to_read_a_template(tmp_path: Path) -> None:
    write(tmp_path, "template.yaml", "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n"
                                     "    Properties:\n      Handler: handler.lambda_handler\n")
    write(tmp_path, "handler.py", LEAKING_HANDLER)

    imported = imported_modules(tmp_path, "check", "handler.py")

    assert "yaml" in imported
