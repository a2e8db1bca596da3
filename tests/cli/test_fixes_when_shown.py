"""``check`` computes fixes only for what shows them (the text summary's count, JSON, --statistics),
``--fix`` and ``--diff``; JavaScript/TypeScript findings get theirs there too, cache or not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import RunCheck, write

TS_TIMER = """export const handler = async (event: { id: string }): Promise<string> => {
  const timer = setInterval(() => {}, 1000);
  return event.id;
};
"""
CACHING = [(), ("--no-cache",)]


@pytest.mark.parametrize("cache", CACHING, ids=["cached", "no-cache"])
def test_json_prints_the_fix_of_a_typescript_finding(tmp_path: Path, run_check: RunCheck, cache: tuple[str, ...]) -> None:
    write(tmp_path, "handler.ts", TS_TIMER)
    [entry] = json.loads(run_check("--format", "json", *cache, "handler.ts").stdout)
    assert entry["code"] == "EL102" and entry["fix"] is not None
    assert any("clearInterval(timer)" in edit["content"] for edit in entry["fix"]["edits"])


@pytest.mark.parametrize("cache", CACHING, ids=["cached", "no-cache"])
def test_the_text_summary_counts_a_fixable_typescript_finding(tmp_path: Path, run_check: RunCheck, cache: tuple[str, ...]) -> None:
    write(tmp_path, "handler.ts", TS_TIMER)
    assert "[*] 1 fixable with the `--fix` option." in run_check(*cache, "handler.ts").stdout


def test_a_sarif_run_leaves_the_next_text_run_its_fixable_count(tmp_path: Path, run_check: RunCheck) -> None:
    write(tmp_path, "handler.ts", TS_TIMER)
    run_check("--format", "sarif", "handler.ts")
    assert "[*] 1 fixable with the `--fix` option." in run_check("handler.ts").stdout


def test_diff_settles_a_typescript_timer(tmp_path: Path, run_check: RunCheck) -> None:
    path = write(tmp_path, "handler.ts", TS_TIMER)
    diff = run_check("--diff", "handler.ts").stdout
    assert "+    clearInterval(timer);" in diff and path.read_text(encoding="utf-8") == TS_TIMER
