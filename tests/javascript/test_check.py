"""`leak-lsp check` finds JavaScript/TypeScript files, reports them, and `--fix` settles them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

LEAKING_JS = 'exports.handler = async (event) => {\n  setTimeout(() => console.log("late"), 50);\n  return 1;\n};\n'
LEAKING_TS = 'export const handler = async (e: unknown): Promise<number> => {\n  void fetch("https://x.example.com");\n  return 1;\n};\n'


def _check(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "leak_lsp", "check", *args], cwd=cwd, capture_output=True, text=True,
                          check=False)


def _project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[tool.leak-lsp]\n", encoding="utf-8")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.js").write_text(LEAKING_JS, encoding="utf-8")
    (tmp_path / "src" / "api.mts").write_text(LEAKING_TS, encoding="utf-8")
    (tmp_path / "src" / "types.d.ts").write_text("export declare function handler(): void;\n", encoding="utf-8")
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / "dep.js").write_text(LEAKING_JS, encoding="utf-8")
    return tmp_path


def test_check_reports_javascript_and_typescript_sources_and_skips_node_modules(tmp_path: Path) -> None:
    completed = _check(".", cwd=_project(tmp_path))
    assert completed.returncode == 1
    lines = [line for line in completed.stdout.splitlines() if ": EL" in line]
    assert [line.split(" ")[:2] for line in lines] == [["src/api.mts:2:8:", "EL106"], ["src/app.js:2:3:", "EL102"]]


def test_check_fix_settles_the_leaks_in_place(tmp_path: Path) -> None:
    root = _project(tmp_path)
    assert _check("--fix", "src", cwd=root).returncode == 0
    assert "await fetch(" in (root / "src" / "api.mts").read_text(encoding="utf-8")
    assert "clearTimeout(timer);" in (root / "src" / "app.js").read_text(encoding="utf-8")
    assert _check("src", cwd=root).returncode == 0
