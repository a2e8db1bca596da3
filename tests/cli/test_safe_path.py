"""No entry point runs the user's code: not at start-up, not when jedi meets a compiled module.

The workspace holds an ``argparse.py`` (which would shadow the standard library) and a
package whose ``__init__.py`` writes a marker file and re-exports a (fake) compiled module,
which jedi would import to inspect it. Neither may run, whichever way leak-lsp
is started: the console script, ``python -m leak_lsp``, or with the project on PYTHONPATH.
"""

from __future__ import annotations

import importlib.machinery
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import write
from tests.cli.lsp_stdio import pulled_diagnostics

CONSOLE_SCRIPT = Path(sys.executable).parent / "leak-lsp"

HANDLER = """\
import pkg
from pkg.helpers import start


def lambda_handler(event, context):
    start()
    return pkg.compute(event)
"""

HELPERS = """\
import threading


def start():
    threading.Thread(target=print).start()
"""


def marker_writer(marker: Path, who: str) -> str:
    return f"from pathlib import Path\nPath({str(marker)!r}).joinpath({who!r}).write_text('ran')\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    markers = tmp_path / "markers"
    markers.mkdir()
    write(root, "pyproject.toml", "[project]\nname = 'demo'\n")
    write(root, "argparse.py", marker_writer(markers, "argparse"))
    write(root, "pkg/__init__.py", marker_writer(markers, "pkg") + "from pkg._native import compute\n")
    write(root, "pkg/helpers.py", HELPERS)
    (root / "pkg" / f"_native{importlib.machinery.EXTENSION_SUFFIXES[0]}").write_bytes(b"\x7fELF not really")
    write(root, "handler.py", HANDLER)
    return root


def ran(project: Path) -> list[str]:
    return sorted(path.name for path in (project.parent / "markers").iterdir())


def environment(**extra: str) -> dict[str, str]:
    return {**{key: value for key, value in os.environ.items() if key != "PYTHONPATH"}, **extra}


def working_folder(project: Path, where: str) -> Path:
    elsewhere = project.parent / "elsewhere"
    elsewhere.mkdir(exist_ok=True)
    return project if where == "project" else elsewhere


ENTRY_POINTS = {
    "console script, in the project": ([str(CONSOLE_SCRIPT)], "project", {}),
    "python -m, in the project": ([sys.executable, "-m", "leak_lsp"], "project", {}),
    "python -m, project on PYTHONPATH": ([sys.executable, "-m", "leak_lsp"], "elsewhere", {"PYTHONPATH": "project"}),
    "console script, project on PYTHONPATH": ([str(CONSOLE_SCRIPT)], "elsewhere", {"PYTHONPATH": "project"}),
}


def start(entry: str, project: Path, *arguments: str, **options: object) -> subprocess.CompletedProcess[str]:
    command, where, extra = ENTRY_POINTS[entry]
    env = environment(**{key: str(project) for key in extra})
    return subprocess.run([*command, *arguments], cwd=working_folder(project, where), env=env, capture_output=True, text=True, timeout=120,
                          **options)  # type: ignore[call-overload]


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_check_runs_no_workspace_code(entry: str, project: Path) -> None:
    result = start(entry, project, "check", "--format", "json", str(project / "handler.py"))

    assert ran(project) == []
    assert [item["code"] for item in json.loads(result.stdout)] == ["EL101"], result.stderr


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_serve_runs_no_workspace_code(entry: str, project: Path) -> None:
    command, where, extra = ENTRY_POINTS[entry]
    env = environment(**{key: str(project) for key in extra})

    items = pulled_diagnostics([*command, "serve"], project, project / "handler.py", cwd=working_folder(project, where),
                               env=env)

    assert [item["code"] for item in items] == ["EL101"]
    assert ran(project) == []


JEDI_WITH_PROJECT_ON_PATH = """
import sys
sys.path.insert(0, sys.argv[1])  # as an embedding program might have it
from leak_lsp.analysis import analyze_file
from leak_lsp.project.workspace import workspace_for
handler = sys.argv[1] + "/handler.py"
print(",".join(finding.code for finding in analyze_file(handler, workspace=workspace_for(handler)).findings))
"""


def test_jedi_never_imports_a_compiled_module_of_the_workspace(project: Path) -> None:
    result = subprocess.run([sys.executable, "-c", JEDI_WITH_PROJECT_ON_PATH, str(project)], cwd=project.parent,
                            env=environment(), capture_output=True, text=True, timeout=120)

    assert result.stdout.strip() == "EL101", result.stderr
    assert "pkg" not in ran(project)
