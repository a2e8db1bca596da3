"""The results cache: a warm run answers from it, anything the analysis read invalidates it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import leak_lsp
from tests.cli.conftest import CLEAN_HANDLER, LEAKING_HANDLER, RunCheck, write

CACHE = ".leak_lsp_cache"
MARK = "ANSWERED FROM THE CACHE"

HANDLER_CALLING_A_HELPER = """\
from helpers import start


def lambda_handler(event, context):
    start()
    return {"statusCode": 200}
"""

LEAKING_HELPER = "import threading\n\n\ndef start():\n    threading.Thread(target=print).start()\n"
SETTLED_HELPER = "import threading\n\n\ndef start():\n    worker = threading.Thread(target=print)\n" \
                 "    worker.start()\n    worker.join()\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write(tmp_path, "pyproject.toml", "[project]\nname = 'demo'\n")
    write(tmp_path, "handler.py", LEAKING_HANDLER)
    return tmp_path


def entries(project: Path) -> list[Path]:
    return sorted((project / CACHE).rglob("*.json"))


def mark_every_entry(project: Path) -> None:
    """Rewrite every cached message, so that an answer from the cache can be told apart."""
    for path in entries(project):
        entry = json.loads(path.read_text(encoding="utf-8"))
        for finding in entry["report"]["findings"]:
            finding["message"] = MARK
        path.write_text(json.dumps(entry), encoding="utf-8")


def test_a_warm_run_answers_from_the_cache(project: Path, run_check: RunCheck) -> None:
    cold = run_check(".")
    mark_every_entry(project)

    warm = run_check(".")

    assert "EL101" in cold.stdout and MARK not in cold.stdout
    assert f"handler.py:9:5: EL101 {MARK}" in warm.stdout
    assert warm.returncode == cold.returncode == 1


def test_the_cache_folder_ignores_itself_for_git(project: Path, run_check: RunCheck) -> None:
    run_check(".")

    assert (project / CACHE / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    assert len(entries(project)) == 1


def test_an_edited_file_is_analysed_again(project: Path, run_check: RunCheck) -> None:
    run_check(".")
    mark_every_entry(project)
    write(project, "handler.py", CLEAN_HANDLER)

    result = run_check(".")

    assert result.returncode == 0 and MARK not in result.stdout


def test_other_settings_are_another_entry(project: Path, run_check: RunCheck) -> None:
    run_check(".")
    mark_every_entry(project)

    result = run_check("--severity", "EL101=warning", "--format", "json", ".")

    assert [entry["message"] != MARK for entry in json.loads(result.stdout)] == [True]


def test_a_changed_helper_invalidates_its_callers(project: Path, run_check: RunCheck) -> None:
    write(project, "handler.py", HANDLER_CALLING_A_HELPER)
    write(project, "helpers.py", LEAKING_HELPER)
    assert run_check("handler.py").returncode == 1
    mark_every_entry(project)

    write(project, "helpers.py", SETTLED_HELPER)
    result = run_check("handler.py")

    assert result.returncode == 0, result.stdout


def test_a_new_template_invalidates_the_project(project: Path, run_check: RunCheck) -> None:
    write(project, "handler.py", LEAKING_HANDLER.replace("lambda_handler(event, context)", "process(order)"))
    assert run_check("handler.py").returncode == 0  # no entry point yet
    write(project, "template.yaml", "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
                                    "      Runtime: python3.12\n      Handler: handler.process\n")

    result = run_check("handler.py")

    assert "EL101" in result.stdout


def test_no_cache_neither_reads_nor_writes(project: Path, run_check: RunCheck) -> None:
    result = run_check("--no-cache", ".")

    assert not (project / CACHE).exists()
    assert "EL101" in result.stdout


def test_a_damaged_entry_is_analysed_again(project: Path, run_check: RunCheck) -> None:
    run_check(".")
    for path in entries(project):
        path.write_text("{not json", encoding="utf-8")

    result = run_check(".")

    assert "EL101" in result.stdout and result.returncode == 1


def test_fix_does_not_trust_the_cache(project: Path, run_check: RunCheck) -> None:
    run_check(".")
    mark_every_entry(project)

    result = run_check("--fix", ".")

    assert "Fixed 1 leak." in result.stdout
    assert (project / "handler.py").read_text(encoding="utf-8") != LEAKING_HANDLER


CORPUS = Path(__file__).parents[1] / "fixtures" / "analysis"


@pytest.mark.parametrize("output", ["json", "sarif"])
def test_answers_from_the_cache_equal_fresh_ones_over_the_corpus(output: str, tmp_path: Path, run_check: RunCheck) -> None:
    """Every field (related locations, fixes, handlers, problems) survives the cache, in parallel too."""
    shutil.copytree(CORPUS, tmp_path / "corpus")
    write(tmp_path, "pyproject.toml", "[project]\nname = 'corpus'\n")

    fresh = run_check("--no-cache", "--format", output, "-j", "2", "corpus")
    filling = run_check("--format", output, "-j", "2", "corpus")
    warm = run_check("--format", output, "-j", "2", "corpus")

    assert len(entries(tmp_path)) > 50
    assert json.loads(warm.stdout) == json.loads(filling.stdout) == json.loads(fresh.stdout)
    assert warm.returncode == fresh.returncode


def test_other_leak_lsp_code_of_the_same_version_is_another_entry(
        project: Path, run_check: RunCheck, tmp_path_factory: pytest.TempPathFactory) -> None:
    code = tmp_path_factory.mktemp("code")  # an editable install edited between two runs
    shutil.copytree(Path(leak_lsp.__file__).parent, code / "leak_lsp", ignore=shutil.ignore_patterns("__pycache__"))
    run_check(".", env={"PYTHONPATH": str(code)})
    mark_every_entry(project)
    with (code / "leak_lsp" / "rules" / "__init__.py").open("a", encoding="utf-8") as rules:
        rules.write("# edited\n")

    edited = run_check(".", env={"PYTHONPATH": str(code)})

    assert "EL101" in edited.stdout and MARK not in edited.stdout
