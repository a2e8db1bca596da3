"""Emacs (Debian's 28 with elpa-eglot) runs the quick-fix round trip in batch mode.

tests/editors/eglot_round_trip.el loads editors/emacs/leak-lsp.el, does what a user
does and reports it as JSON; this test checks that report and the file Emacs saved.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.editors.conftest import (
    INSTALL_HINT,
    REPO_ROOT,
    HandlerProject,
    assert_fixed_on_disk,
    require_command,
    server_environment,
)

DRIVER = Path(__file__).with_name("eglot_round_trip.el")
SETUP = REPO_ROOT / "editors" / "emacs" / "leak-lsp.el"
DEBIAN_EGLOT = Path("/usr/share/emacs/site-lisp/elpa")


def run_round_trip(emacs: str, project: HandlerProject, tmp_path: Path) -> dict[str, Any]:
    report_path = tmp_path / "emacs-report.json"
    environment = server_environment() | {
        "HOME": str(tmp_path / "home"),
        "LEAK_LSP_EMACS_SETUP": str(SETUP),
        "LEAK_LSP_DOCUMENT": str(project.handler),
        "LEAK_LSP_REPORT": str(report_path),
    }
    finished = subprocess.run(
        [emacs, "--batch", "-Q", "-l", str(DRIVER)],
        cwd=project.root, env=environment, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60,
    )
    assert finished.returncode == 0 and report_path.exists(), finished.stderr
    report: dict[str, Any] = json.loads(report_path.read_text(encoding="utf-8"))
    return report


def test_emacs_eglot_fixes_the_leak(handler_project: HandlerProject, tmp_path: Path) -> None:
    emacs = require_command("emacs", "Emacs")
    if not any(DEBIAN_EGLOT.glob("eglot-*/eglot.el")):
        pytest.skip(f"elpa-eglot is not installed ({INSTALL_HINT})")
    report = run_round_trip(emacs, handler_project, tmp_path)

    assert report.get("error") is None, json.dumps(report, indent=1)
    [diagnostic] = report["diagnostics"]
    assert "EL101" in diagnostic["text"]
    assert (diagnostic["line"], diagnostic["character_column"]) == (
        handler_project.flagged_line,
        handler_project.flagged_column("utf-32"),
    )
    assert report["applied"] == handler_project.preferred_fix_title()
    assert report["steps"] == ["opened", "diagnosed", "fixed", "clean"]
    assert_fixed_on_disk(handler_project)
