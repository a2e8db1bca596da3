"""A file's project is the nearest folder above it holding a root marker, for ``check``
and the server alike; FIFOs and folders are not read as sources."""

from __future__ import annotations

import fnmatch
import os
import re
from pathlib import Path

import pytest

from leak_lsp.project.files import PROJECT_GLOBS, ROOT_MARKERS, deployment_format, project_root, read_source
from leak_lsp.project.workspace import workspace_for


def touch(path: Path, text: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("marker", ["pyproject.toml", "template.yaml", "serverless.yml", "host.json", ".git"])
def test_a_file_belongs_to_the_folder_above_it_holding_a_marker(tmp_path: Path, marker: str) -> None:
    touch(tmp_path / marker)
    handler = touch(tmp_path / "orders" / "api" / "app.py")
    assert project_root(handler) == tmp_path


def test_a_pyproject_without_a_leak_lsp_section_still_marks_the_root(tmp_path: Path) -> None:
    touch(tmp_path / "pyproject.toml", '[project]\nname = "x"\n')
    assert project_root(touch(tmp_path / "src" / "app.py")) == tmp_path


def test_the_nearest_marker_wins_in_nested_projects(tmp_path: Path) -> None:
    touch(tmp_path / ".git" / "HEAD")
    touch(tmp_path / "services" / "billing" / "pyproject.toml")
    inner = touch(tmp_path / "services" / "billing" / "app.py")
    outer = touch(tmp_path / "scripts" / "job.py")
    assert (project_root(inner), project_root(outer)) == (tmp_path / "services" / "billing", tmp_path)


def test_an_unmarked_file_is_its_own_folder_project(tmp_path: Path) -> None:
    loose = touch(tmp_path / "loose" / "app.py")
    assert project_root(loose) == tmp_path / "loose"


def test_check_workspace_uses_the_same_root(tmp_path: Path) -> None:
    touch(tmp_path / "template.yaml")
    handler = touch(tmp_path / "orders" / "app.py")
    assert workspace_for(handler).root == project_root(handler) == tmp_path


def expanded(glob: str) -> list[str]:
    """``**/template.{yaml,yml}`` -> ``["**/template.yaml", "**/template.yml"]`` (one brace group)."""
    match = re.search(r"\{([^}]*)\}", glob)
    if match is None:
        return [glob]
    return [glob[: match.start()] + choice + glob[match.end() :] for choice in match.group(1).split(",")]


@pytest.mark.parametrize("name", [name for name in ROOT_MARKERS if deployment_format(Path(name)) is not None])
def test_every_deployment_file_marking_a_root_is_watched(name: str) -> None:
    patterns = [pattern for glob in PROJECT_GLOBS for pattern in expanded(glob)]
    assert any(fnmatch.fnmatch(f"project/{name}", pattern) for pattern in patterns)


def test_a_fifo_is_not_read_as_a_source(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.py"
    os.mkfifo(fifo)
    assert read_source(fifo) is None  # returns at once instead of waiting for a writer


def test_a_source_with_an_encoding_cookie_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "latin.py"
    path.write_bytes("# -*- coding: latin-1 -*-\nname = 'café'\n".encode("latin-1"))
    assert read_source(path) == "# -*- coding: latin-1 -*-\nname = 'café'\n"
