"""Shared pieces of the real-editor tests: the leaking handler, where the editors live,
and how to check what an editor wrote back.

The editors come from ``scripts/install-editors.sh`` (CI runs it first). A test whose
editor is not installed is skipped with the reason; everything else is asserted.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from leak_lsp.analysis import analyze_file, analyze_source
from leak_lsp.analysis.config import load_settings

REPO_ROOT = Path(__file__).resolve().parents[2]
EDITORS_DIR = Path(os.environ.get("LEAK_LSP_EDITORS_DIR", REPO_ROOT / ".editors"))
INSTALL_HINT = "run scripts/install-editors.sh"

# The flagged call comes after non-ASCII text on its line ("ç" is 2 UTF-8 bytes and one
# UTF-16 unit, the emoji 4 bytes and two UTF-16 units), so a column computed in the
# wrong encoding lands elsewhere and the quick fix is not found.
LEAKING_HANDLER = '''\
import threading


def send_receipt():
    pass


def handler(event, context):
    label = "reçu 📨"; worker = threading.Thread(target=send_receipt); worker.start()
    return label
'''
FLAGGED_CALL = "worker.start()"
FIX_MARKER = "worker.join()"


@dataclass(frozen=True)
class HandlerProject:
    root: Path
    handler: Path

    @property
    def original_text(self) -> str:
        return LEAKING_HANDLER

    @property
    def flagged_line(self) -> int:
        """0-based line of the flagged call."""
        return next(index for index, line in enumerate(LEAKING_HANDLER.splitlines()) if FLAGGED_CALL in line)

    def flagged_column(self, encoding: str) -> int:
        """0-based column of the flagged call in units of `encoding` (utf-8, utf-16, utf-32)."""
        line = LEAKING_HANDLER.splitlines()[self.flagged_line]
        return column_in(line, line.index(FLAGGED_CALL), encoding)

    def preferred_fix_title(self) -> str:
        """The title of the fix the analysis prefers for the handler's leak."""
        [finding] = analyze_source(LEAKING_HANDLER, str(self.handler), load_settings(self.root)).findings
        return next(fix.title for fix in finding.fixes if fix.preferred)


@pytest.fixture
def handler_project(tmp_path: Path) -> HandlerProject:
    """A project folder (with a pyproject.toml as its root marker) holding the leaking handler."""
    root = tmp_path / "project"
    root.mkdir()
    (root / "pyproject.toml").write_text('[project]\nname = "receipts"\nversion = "0"\n', encoding="utf-8")
    handler = root / "handler.py"
    handler.write_text(LEAKING_HANDLER, encoding="utf-8")
    return HandlerProject(root=root, handler=handler)


def assert_fixed_on_disk(project: HandlerProject) -> None:
    """The file the editor wrote keeps every original line, joins the thread, and is clean."""
    written = project.handler.read_text(encoding="utf-8")
    ast.parse(written)
    remaining = iter(written.splitlines())
    assert all(line in remaining for line in project.original_text.splitlines()), written
    assert FIX_MARKER in written
    report = analyze_file(project.handler, load_settings(project.root))
    assert [finding.code for finding in report.findings] == []


# A project whose handler only the deployment template one level above its folder names
# (its name and parameters are not a handler's), and whose leak is in a helper module
# beside it. The editors open the sub-folder.
SAM_TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  OrdersFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: orders/
      Handler: app.place_order
      Runtime: python3.12
"""
TEMPLATE_HANDLER = '''\
from receipts import send_receipt


def place_order(order, runtime):
    label = "reçu 📨"; send_receipt(label)
    return label
'''
HELPER_STARTS_THREAD = '''\
import threading


def send_receipt(label):
    worker = threading.Thread(target=print, args=(label,))
    worker.start()
'''
HELPER_FIX = ("    worker.start()\n", "    worker.start()\n    worker.join()\n")


@dataclass(frozen=True, order=True)
class Finding:
    """A finding where an editor shows it: 0-based line, column in the editor's units."""

    code: str
    line: int
    column: int


@dataclass(frozen=True)
class SubFolderProject:
    root: Path  # pyproject.toml and template.yaml
    opened: Path  # root/orders: the folder the editor opens
    handler: Path  # orders/app.py, whose handler only the template names
    helper: Path  # orders/receipts.py, where the thread starts

    def findings_of_check(self, path: Path, encoding: str) -> list[Finding]:
        """What `leak-lsp check --format json` run from the project root reports in `path`."""
        finished = subprocess.run([sys.executable, "-m", "leak_lsp", "check", "--format", "json"], cwd=self.root,
                                  capture_output=True, text=True, timeout=120)
        assert finished.returncode in (0, 1), finished.stderr
        lines = path.read_text(encoding="utf-8").splitlines()
        return sorted(
            Finding(item["code"], item["location"]["row"] - 1,
                    column_in(lines[item["location"]["row"] - 1], item["location"]["column"] - 1, encoding))
            for item in json.loads(finished.stdout)
            if Path(item["filename"]).resolve() == path.resolve()
        )

    def fix_helper(self) -> None:
        text = self.helper.read_text(encoding="utf-8")
        self.helper.write_text(text.replace(*HELPER_FIX), encoding="utf-8")


def column_in(line: str, code_points: int, encoding: str) -> int:
    """The column `code_points` of `line` in units of `encoding` (utf-8, utf-16, utf-32)."""
    prefix = line[:code_points]
    if encoding == "utf-8":
        return len(prefix.encode("utf-8"))
    if encoding == "utf-16":
        return len(prefix.encode("utf-16-le")) // 2
    return len(prefix)


@pytest.fixture
def sub_folder_project(tmp_path: Path) -> SubFolderProject:
    """The project of SAM_TEMPLATE, outside any git repository (tmp_path is not in one)."""
    root = tmp_path / "project"
    opened = root / "orders"
    opened.mkdir(parents=True)
    (root / "pyproject.toml").write_text('[project]\nname = "orders"\nversion = "0"\n', encoding="utf-8")
    (root / "template.yaml").write_text(SAM_TEMPLATE, encoding="utf-8")
    handler = opened / "app.py"
    handler.write_text(TEMPLATE_HANDLER, encoding="utf-8")
    helper = opened / "receipts.py"
    helper.write_text(HELPER_STARTS_THREAD, encoding="utf-8")
    return SubFolderProject(root=root, opened=opened, handler=handler, helper=helper)


def server_environment() -> dict[str, str]:
    """The environment for an editor: `leak-lsp` of this interpreter first on PATH."""
    environment = dict(os.environ)
    environment["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), environment.get("PATH", "")])
    return environment


def require_installed(path: Path, what: str) -> Path:
    """`path`, or skip the test saying how to install it."""
    if not path.exists():
        pytest.skip(f"{what} is not installed at {path} ({INSTALL_HINT})")
    return path


def require_command(name: str, what: str) -> str:
    """The executable `name` found on PATH, or skip the test saying how to install it."""
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{what} is not installed: no `{name}` on PATH ({INSTALL_HINT})")
    return found
