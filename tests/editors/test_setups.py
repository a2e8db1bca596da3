"""The editor set-ups agree with leak-lsp about projects and documents: Neovim and Emacs
find a project's root by exactly the markers the server uses, and the VS Code extension
sends the server exactly the deployment files it reads (as well as every Python file),
and declares the workspace-trust capability for its launch settings.

The Python package is the reference (leak_lsp/project/files.py): its `ROOT_MARKERS`, and
`is_deployment_file` asked about candidate names, so a marker or deployment file added
on one side only fails here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from leak_lsp.project.deployment import is_deployment_file
from leak_lsp.project.files import ROOT_MARKERS, is_project_root
from tests.editors.conftest import REPO_ROOT

NEOVIM_SETUPS = [REPO_ROOT / "editors" / "nvim" / "lsp" / "leak_lsp.lua", REPO_ROOT / "editors" / "nvim" / "leak_lsp_start.lua"]
EMACS_SETUP = REPO_ROOT / "editors" / "emacs" / "leak-lsp.el"
PACKAGE_JSON = REPO_ROOT / "vscode-client" / "package.json"
LAUNCH_SETTINGS = {"leakLsp.interpreter", "leakLsp.importStrategy", "leakLsp.serverArgs"}

# Names a deployment file (or a project file) might have, leak-lsp's or not.
CANDIDATE_NAMES = [
    "pyproject.toml", "setup.py", "setup.cfg", "requirements.txt", "Pipfile", "tox.ini", ".git", ".hg",
    "template.yaml", "template.yml", "template.json", "orders.template.yaml", "orders.template.yml",
    "orders.template.json", "templates.yaml", "samconfig.toml", "serverless.yml", "serverless.yaml",
    "serverless.json", "cdk.json", "host.json", "function.json", "local.settings.json", "main.tf",
    "variables.tf.json", "package.json", "config.yaml", "app.py",
]  # fmt: skip


def neovim_markers(setup: Path) -> set[str]:
    block = re.search(r"local root_markers = \{(.*?)\}", setup.read_text(encoding="utf-8"), re.DOTALL)
    assert block, f"no root_markers list in {setup}"
    return set(re.findall(r'"([^"]+)"', block[1]))


def emacs_markers() -> set[str]:
    block = re.search(r"\(defvar leak-lsp-root-markers\s+'\((.*?)\)", EMACS_SETUP.read_text(encoding="utf-8"), re.DOTALL)
    assert block, f"no leak-lsp-root-markers in {EMACS_SETUP}"
    return set(re.findall(r'"([^"]+)"', block[1]))


def test_the_root_markers_make_a_project_root(tmp_path: Path) -> None:
    for marker in ROOT_MARKERS:
        folder = tmp_path / marker
        folder.mkdir()
        (folder / marker).write_text("", encoding="utf-8")
        assert is_project_root(folder), marker


def package() -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads(PACKAGE_JSON.read_text(encoding="utf-8"))
    return manifest


def glob_regex(pattern: str) -> re.Pattern[str]:
    """A VS Code glob (`**/`, `*`, `?`, `{a,b}` holding globs) as a regular expression over /-separated paths."""
    return re.compile(_translated(pattern) + r"\Z")


def _translated(pattern: str) -> str:
    translated = ""
    for token in re.findall(r"\*\*/|\*|\?|\{[^}]*\}|[^*?{]+", pattern):
        if token == "**/":
            translated += "(?:.*/)?"
        elif token == "*":
            translated += "[^/]*"
        elif token == "?":
            translated += "[^/]"
        elif token.startswith("{"):
            translated += "(?:" + "|".join(_translated(part) for part in token[1:-1].split(",")) + ")"
        else:
            translated += re.escape(token)
    return translated


def sent_by_vscode(relative: str) -> bool:
    """Whether the extension's document selector takes a file (by pattern, not language)."""
    patterns = [entry["pattern"] for entry in package()["leakLsp"]["documentSelector"] if "pattern" in entry]
    return any(glob_regex(pattern).match(relative) for pattern in patterns)


@pytest.mark.parametrize("setup", NEOVIM_SETUPS, ids=lambda path: path.name)
def test_neovim_finds_the_root_by_leak_lsps_markers(setup: Path) -> None:
    assert neovim_markers(setup) == set(ROOT_MARKERS)


def test_emacs_finds_the_root_by_leak_lsps_markers() -> None:
    assert emacs_markers() == set(ROOT_MARKERS)


def test_vscode_sends_exactly_the_deployment_files_leak_lsp_reads(tmp_path: Path) -> None:
    read_by_server = set()
    for name in CANDIDATE_NAMES:
        path = tmp_path / "service" / name
        path.parent.mkdir(exist_ok=True)
        path.write_text("", encoding="utf-8")
        if name.endswith(".py") or is_deployment_file(path):
            read_by_server.add(name)
    sent = {name for name in CANDIDATE_NAMES if sent_by_vscode(f"service/{name}") or name.endswith(".py")}
    assert sent == read_by_server


def test_vscode_sends_every_python_document() -> None:
    selector = package()["leakLsp"]["documentSelector"]
    assert {"scheme": "file", "language": "python"} in selector
    assert {"scheme": "untitled", "language": "python"} in selector


def test_vscode_restricts_the_launch_settings_in_untrusted_workspaces() -> None:
    manifest = package()
    trust = manifest["capabilities"]["untrustedWorkspaces"]
    assert trust["supported"] == "limited"
    assert set(trust["restrictedConfigurations"]) == LAUNCH_SETTINGS
    assert LAUNCH_SETTINGS <= set(manifest["contributes"]["configuration"]["properties"])
