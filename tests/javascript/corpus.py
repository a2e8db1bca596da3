"""The JavaScript/TypeScript fixture corpus: files and their inline expectations.

A line where a finding must start carries ``expect: CODE`` (or ``expect: CODE, CODE``) in
a comment; every other line must stay silent. A first line ``// runnable`` marks a
fixture that runs with plain Node (no npm packages): it holds one handler, ``handler``.
"""

from __future__ import annotations

import re
from pathlib import Path

from analysis.fixture_corpus import Expectation
from analysis.fixture_corpus import Fixture as PythonFixture

from leak_lsp.javascript import SUFFIXES

FIXTURES_ROOT = Path(__file__).resolve().parent.parent / "fixtures" / "javascript"

__all__ = ["Expectation", "Fixture", "all_fixtures"]


class Fixture(PythonFixture):
    """A JavaScript/TypeScript fixture: expectations in any comment form (``//``, ``/* */``, JSX)."""

    root = FIXTURES_ROOT
    expect = re.compile(r"expect:\s*(EL\d{3}(?:\s*,\s*EL\d{3})*)")

    @property
    def runnable(self) -> bool:
        return bool(self.lines) and self.lines[0].strip() == "// runnable"


def all_fixtures() -> list[Fixture]:
    return [Fixture(path) for path in sorted(FIXTURES_ROOT.rglob("*")) if path.suffix in SUFFIXES]
