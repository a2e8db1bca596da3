"""Which files are checked: ``*.py`` under folders, minus .gitignore, exclude and the usual suspects."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import LEAKING_HANDLER, RunCheck, write


def leaking_files(folder: Path, *names: str) -> None:
    for name in names:
        write(folder, name, LEAKING_HANDLER)


def reported(run_check: RunCheck, *arguments: str) -> set[str]:
    result = run_check(*arguments)
    return {line.split(":", 1)[0] for line in result.stdout.splitlines() if " EL101 " in line}


def test_folders_are_walked_recursively_for_python_files(tmp_path: Path, run_check: RunCheck) -> None:
    leaking_files(tmp_path, "top.py", "pkg/inner.py", "pkg/deeper/leaf.py")
    write(tmp_path, "pkg/notes.txt", LEAKING_HANDLER)

    assert reported(run_check, ".") == {"top.py", "pkg/inner.py", "pkg/deeper/leaf.py"}


def test_the_default_path_is_the_working_folder(tmp_path: Path, run_check: RunCheck) -> None:
    leaking_files(tmp_path, "top.py")

    assert reported(run_check) == {"top.py"}


def test_virtual_environments_caches_and_build_output_are_skipped(tmp_path: Path, run_check: RunCheck) -> None:
    leaking_files(tmp_path, "app.py", ".venv/lib/site.py", "venv/x.py", "node_modules/y.py", "build/lib/z.py", "__pycache__/c.py")

    assert reported(run_check, ".") == {"app.py"}


def test_gitignored_files_and_folders_are_skipped(tmp_path: Path, run_check: RunCheck) -> None:
    leaking_files(tmp_path, "app.py", "generated/client.py", "scratch.py", "pkg/local_settings.py", "pkg/kept.py")
    write(tmp_path, ".gitignore", "generated/\nscratch.py\n")
    write(tmp_path, "pkg/.gitignore", "local_*.py\n")

    assert reported(run_check, ".") == {"app.py", "pkg/kept.py"}


def test_a_gitignore_negation_reincludes_a_file(tmp_path: Path, run_check: RunCheck) -> None:
    leaking_files(tmp_path, "gen_a.py", "gen_keep.py")
    write(tmp_path, ".gitignore", "gen_*.py\n!gen_keep.py\n")

    assert reported(run_check, ".") == {"gen_keep.py"}


def test_a_gitignore_above_the_checked_folder_counts_inside_a_repository(tmp_path: Path, run_check: RunCheck) -> None:
    (tmp_path / ".git").mkdir()
    leaking_files(tmp_path, "src/app.py", "src/generated.py")
    write(tmp_path, ".gitignore", "generated.py\n")

    assert reported(run_check, "src") == {"src/app.py"}


def test_configured_exclude_is_honoured(tmp_path: Path, run_check: RunCheck) -> None:
    leaking_files(tmp_path, "app.py", "migrations/0001.py", "tests/test_app.py")
    write(tmp_path, "pyproject.toml", '[tool.leak-lsp]\nexclude = ["migrations/", "tests/test_*.py"]\n')

    assert reported(run_check, ".") == {"app.py"}


def test_command_line_exclude_replaces_the_configured_one(tmp_path: Path, run_check: RunCheck) -> None:
    leaking_files(tmp_path, "app.py", "migrations/0001.py", "scripts/tool.py")
    write(tmp_path, "pyproject.toml", '[tool.leak-lsp]\nexclude = ["migrations/"]\n')

    assert reported(run_check, "--exclude", "scripts", ".") == {"app.py", "migrations/0001.py"}


def test_extend_exclude_adds_to_the_configured_one(tmp_path: Path, run_check: RunCheck) -> None:
    leaking_files(tmp_path, "app.py", "migrations/0001.py", "scripts/tool.py")
    write(tmp_path, "pyproject.toml", '[tool.leak-lsp]\nexclude = ["migrations/"]\n')

    assert reported(run_check, "--extend-exclude", "scripts/", ".") == {"app.py"}


def test_a_file_named_on_the_command_line_is_always_checked(tmp_path: Path, run_check: RunCheck) -> None:
    leaking_files(tmp_path, "generated/client.py", "venv/tool.py")
    write(tmp_path, ".gitignore", "generated/\n")

    assert reported(run_check, "generated/client.py", "venv/tool.py") == {"generated/client.py", "venv/tool.py"}


def test_each_file_gets_the_settings_of_its_nearest_pyproject(tmp_path: Path, run_check: RunCheck) -> None:
    leaking_files(tmp_path, "service_a/handler.py", "service_b/handler.py")
    write(tmp_path, "service_a/pyproject.toml", '[tool.leak-lsp]\nignore = ["EL101"]\n')
    write(tmp_path, "service_b/pyproject.toml", "[tool.leak-lsp]\n")

    assert reported(run_check, ".") == {"service_b/handler.py"}


def test_a_folder_without_python_files_says_so(tmp_path: Path, run_check: RunCheck) -> None:
    write(tmp_path, "notes.txt", LEAKING_HANDLER)

    result = run_check(".")

    assert "no Python, JavaScript, TypeScript or deployment files found" in result.stderr
    assert result.returncode == 0
