"""The real-code corpus manifests are well formed (no corpus file is needed to check them)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
REQUIRED = ("repo", "commit", "path", "language", "platform", "label", "family", "note")
LANGUAGES = {"python.toml": {"python"}, "node.toml": {"javascript", "typescript"}}
MINIMUM = {"python.toml": 80, "node.toml": 40}
PLATFORMS = {"aws-lambda", "gcp", "azure"}
LABELS = {"leak", "safe", "none"}


def entries(name: str) -> list[dict]:
    return tomllib.loads((CORPUS / name).read_text(encoding="utf-8"))["file"]


@pytest.mark.parametrize("name", sorted(LANGUAGES))
def test_every_entry_has_the_fields_and_valid_values(name: str) -> None:
    for entry in entries(name):
        missing = [key for key in REQUIRED if key not in entry]
        assert not missing, (entry.get("path"), missing)
        assert re.fullmatch(r"[0-9a-f]{40}", entry["commit"]), entry["path"]
        assert re.fullmatch(r"[\w.-]+/[\w.-]+", entry["repo"]), entry["repo"]
        assert entry["language"] in LANGUAGES[name], entry["path"]
        assert entry["platform"] in PLATFORMS, entry["path"]
        assert entry["label"] in LABELS, entry["path"]
        assert entry["note"].strip(), entry["path"]


@pytest.mark.parametrize("name", sorted(LANGUAGES))
def test_leak_entries_name_their_lines_and_spans(name: str) -> None:
    for entry in entries(name):
        if entry["label"] != "leak":
            continue
        assert entry.get("lines") and all(isinstance(n, int) and n > 0 for n in entry["lines"]), entry["path"]
        assert entry.get("exits"), entry["path"]
        for first, last in entry.get("spans", []):
            assert 0 < first <= last, entry["path"]


@pytest.mark.parametrize("name", sorted(LANGUAGES))
def test_no_file_is_listed_twice(name: str) -> None:
    keys = [(e["repo"], e["commit"], e["path"]) for e in entries(name)]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("name", sorted(LANGUAGES))
def test_each_manifest_reaches_its_minimum_size(name: str) -> None:
    assert len(entries(name)) >= MINIMUM[name]


def test_the_corpus_spans_at_least_forty_repositories() -> None:
    repos = {e["repo"] for name in LANGUAGES for e in entries(name)}
    assert len(repos) >= 40


def test_the_python_corpus_covers_all_three_platforms() -> None:
    assert {e["platform"] for e in entries("python.toml")} == PLATFORMS
