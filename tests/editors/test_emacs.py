"""Emacs (Debian's 28 with elpa-eglot) in batch mode: the quick-fix round trip, the same
findings as `leak-lsp check` when Emacs starts in a project's sub-folder (no git), one
server for the whole project, and a handler refreshed after its helper is fixed.

tests/editors/eglot_driver.el loads editors/emacs/leak-lsp.el, does what a user does
and reports it as JSON; these tests check that report and the files Emacs saved.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.editors.conftest import (
    HELPER_FIX,
    INSTALL_HINT,
    REPO_ROOT,
    HandlerProject,
    SubFolderProject,
    assert_fixed_on_disk,
    require_command,
    server_environment,
)
from tests.editors.scripts import SCRIPTS

DRIVER = Path(__file__).with_name("eglot_driver.el")
SETUP = REPO_ROOT / "editors" / "emacs" / "leak-lsp.el"
DEBIAN_EGLOT = Path("/usr/share/emacs/site-lisp/elpa")


def emacs_with_eglot() -> str:
    emacs = require_command("emacs", "Emacs")
    if not any(DEBIAN_EGLOT.glob("eglot-*/eglot.el")):
        pytest.skip(f"elpa-eglot is not installed ({INSTALL_HINT})")
    return emacs


def run_driver(scenario: str, document: Path, cwd: Path, tmp_path: Path, **extra: str) -> dict[str, Any]:
    """Emacs started in `cwd` opens `document` and runs `scenario`; returns its report."""
    report_path = tmp_path / "emacs-report.json"
    environment = server_environment() | {
        "HOME": str(tmp_path / "home"),
        "LEAK_LSP_EMACS_SETUP": str(SETUP),
        "LEAK_LSP_SCENARIO": scenario,
        "LEAK_LSP_DOCUMENT": str(document),
        "LEAK_LSP_REPORT": str(report_path),
    } | extra
    finished = subprocess.run(
        [emacs_with_eglot(), "--batch", "-Q", "-l", str(DRIVER)],
        cwd=cwd, env=environment, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=90,
    )
    assert finished.returncode == 0 and report_path.exists(), finished.stderr
    report: dict[str, Any] = json.loads(report_path.read_text(encoding="utf-8"))
    assert report.get("error") is None, json.dumps(report, indent=1) + finished.stderr[-3000:]
    return report


def test_emacs_eglot_fixes_the_leak(handler_project: HandlerProject, tmp_path: Path) -> None:
    report = run_driver("quick-fix", handler_project.handler, handler_project.root, tmp_path)

    [diagnostic] = report["diagnostics"]
    assert "EL101" in diagnostic["text"]
    assert (diagnostic["line"], diagnostic["character_column"]) == (
        handler_project.flagged_line,
        handler_project.flagged_column("utf-32"),
    )
    assert report["applied"] == handler_project.preferred_fix_title()
    assert report["steps"] == ["opened", "diagnosed", "fixed", "clean"]
    assert_fixed_on_disk(handler_project)


# -- a sub-folder of a project -------------------------------------------------------------


def run_in_sub_folder(scenario: str, project: SubFolderProject, tmp_path: Path, **extra: str) -> dict[str, Any]:
    """Emacs started in the project's sub-folder opens its handler; `check`'s findings expected."""
    expected = [finding.__dict__ for finding in project.findings_of_check(project.handler, "utf-32")]
    assert expected, "the fixture must leak"
    report = run_driver(scenario, project.handler, project.opened, tmp_path, LEAK_LSP_EXPECTED=json.dumps(expected),
                        **extra)
    assert sorted_findings(report["diagnostics"]) == sorted_findings(expected)
    assert report["project_root"] == str(project.root)
    return report


def sorted_findings(findings: list[dict[str, Any]]) -> list[tuple[str, int, int]]:
    return sorted((finding["code"], finding["line"], finding["column"]) for finding in findings)


def test_emacs_in_a_sub_folder_finds_what_check_finds_with_one_server(sub_folder_project: SubFolderProject,
                                                                     tmp_path: Path) -> None:
    sibling = sub_folder_project.root / "billing" / "invoices.py"
    sibling.parent.mkdir()
    sibling.write_text("def total(lines):\n    return sum(lines)\n", encoding="utf-8")
    report = run_in_sub_folder("diagnostics", sub_folder_project, tmp_path, LEAK_LSP_SIBLING=str(sibling))
    assert report["steps"] == ["opened", "diagnosed", "sibling opened"]
    assert report["sibling_same_server"] is True


def test_emacs_refreshes_a_handler_when_its_helper_is_fixed(sub_folder_project: SubFolderProject,
                                                            tmp_path: Path) -> None:
    edit = json.dumps({"old": HELPER_FIX[0], "new": HELPER_FIX[1]})
    report = run_in_sub_folder("helper-refresh", sub_folder_project, tmp_path,
                               LEAK_LSP_HELPER=str(sub_folder_project.helper), LEAK_LSP_HELPER_EDIT=edit)
    assert report["steps"] == ["opened", "diagnosed", "helper fixed", "document refreshed"]
    assert report["refreshed_diagnostics"] == []
    assert HELPER_FIX[1] in sub_folder_project.helper.read_text(encoding="utf-8")
    assert sub_folder_project.findings_of_check(sub_folder_project.handler, "utf-32") == []


# -- JavaScript ------------------------------------------------------------------------------
# Emacs 28 has js-mode and no TypeScript mode (typescript-ts-mode is Emacs 29's, with a grammar
# to install): the TypeScript case runs in Neovim and VS Code.


def test_emacs_shows_a_javascript_leak_at_its_column(tmp_path: Path) -> None:
    [script] = [script for script in SCRIPTS if script.name.endswith(".js")]
    folder = tmp_path / "functions"
    folder.mkdir()
    document = script.write(folder)
    expected = script.expected("utf-32")
    report = run_driver("diagnostics", document, folder, tmp_path, LEAK_LSP_EXPECTED=json.dumps(expected))
    assert sorted_findings(report["diagnostics"]) == sorted_findings(expected)
    assert report["steps"] == ["opened", "diagnosed"]
