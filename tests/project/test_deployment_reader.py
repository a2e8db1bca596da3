"""scan_deployments reads deployment files and the modules they name through a reader,
so that an editor's unsaved text counts."""

from __future__ import annotations

import shutil
from pathlib import Path

from leak_lsp.project.deployment import is_deployment_file, scan_deployments

PROJECTS = Path(__file__).parents[1] / "fixtures" / "projects"


def _project(tmp_path: Path) -> Path:
    return Path(shutil.copytree(PROJECTS / "serverless", tmp_path / "serverless")).resolve()


def _overlay(edits: dict[Path, str]) -> object:
    def read(path: Path) -> str | None:
        return edits[path] if path in edits else path.read_text(encoding="utf-8")

    return read


def test_unsaved_text_of_a_deployment_file_is_scanned(tmp_path: Path) -> None:
    root = _project(tmp_path)
    service = root / "serverless.yml"
    unsaved = service.read_text(encoding="utf-8").replace("src/handlers/users.create", "src/handlers/users.renamed")
    _, problems = scan_deployments(root, _overlay({service: unsaved}))  # type: ignore[arg-type]
    assert any("has no function `renamed`" in problem.message for problem in problems)
    _, on_disk = scan_deployments(root)
    assert not any("renamed" in problem.message for problem in on_disk)


def test_unsaved_text_of_a_named_module_is_checked_for_the_function(tmp_path: Path) -> None:
    root = _project(tmp_path)
    users = root / "src" / "handlers" / "users.py"
    unsaved = users.read_text(encoding="utf-8") + "\n\ndef delete(event, context):\n    return {}\n"
    handlers, problems = scan_deployments(root, _overlay({users: unsaved}))  # type: ignore[arg-type]
    assert "delete" in {handler.function for handler in handlers}
    assert not any("`delete`" in problem.message for problem in problems)
    _, on_disk = scan_deployments(root)
    assert any("`delete`" in problem.message for problem in on_disk)


def test_deployment_files_are_told_by_name_and_by_saved_cdk_imports() -> None:
    assert is_deployment_file(PROJECTS / "serverless" / "serverless.yml")
    assert is_deployment_file(PROJECTS / "cdk" / "app.py")
    assert not is_deployment_file(PROJECTS / "serverless" / "src" / "handlers" / "users.py")
