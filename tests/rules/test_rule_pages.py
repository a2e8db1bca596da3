"""Each rule has one page, in ruff's format, generated from its module and printed by `leak-lsp rule`."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from leak_lsp.rules import all_rules, rule_page

DOCS = Path(__file__).parents[2] / "docs"
SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Fix safety", "## References")


def _generator():
    spec = importlib.util.spec_from_file_location("generate_rule_pages", DOCS / "generate_rule_pages.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_codes_are_unique_and_well_formed() -> None:
    codes = [rule.code for rule in all_rules()]
    assert len(codes) == len(set(codes))
    assert all(code[:2] == "EL" and code[2:].isdigit() and len(code) == 5 for code in codes)


@pytest.mark.parametrize("code", [rule.code for rule in all_rules()])
def test_page_has_every_section_in_order(code: str) -> None:
    page = rule_page(code)
    positions = [page.find(section) for section in SECTIONS]
    assert -1 not in positions and positions == sorted(positions)


def test_generated_pages_match_the_rules() -> None:
    stale = [path.name for path, text in _generator().expected_pages().items()
             if not path.is_file() or path.read_text(encoding="utf-8") != text]
    assert stale == [], "run `python docs/generate_rule_pages.py`"


def test_rule_command_prints_the_page() -> None:
    completed = subprocess.run([sys.executable, "-m", "leak_lsp", "rule", "el103"], capture_output=True, text=True, check=False)
    assert completed.returncode == 0
    assert completed.stdout == rule_page("EL103")


def test_rule_command_lists_every_rule() -> None:
    completed = subprocess.run([sys.executable, "-m", "leak_lsp", "rule"], capture_output=True, text=True, check=False)
    assert [line.split()[0] for line in completed.stdout.splitlines()] == [rule.code for rule in all_rules()]


def test_unknown_rule_is_a_usage_error() -> None:
    completed = subprocess.run([sys.executable, "-m", "leak_lsp", "rule", "EL999"], capture_output=True, text=True, check=False)
    assert completed.returncode == 2
    assert "unknown rule" in completed.stderr
