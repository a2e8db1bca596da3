"""The JavaScript/TypeScript fixture corpus: files and their inline expectations.

A line where a finding must start carries ``expect: CODE`` (or ``expect: CODE, CODE``) in
a comment; every other line must stay silent. A first line ``// runnable`` marks a
fixture that runs with plain Node (no npm packages): it holds one handler, ``handler``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from leak_lsp.javascript import SUFFIXES

FIXTURES_ROOT = Path(__file__).resolve().parent.parent / "fixtures" / "javascript"

_EXPECT = re.compile(r"expect:\s*(EL\d{3}(?:\s*,\s*EL\d{3})*)")

Expectation = tuple[int, str]  # (1-based line, rule code)


@dataclass(frozen=True)
class Fixture:
    path: Path

    @property
    def id(self) -> str:
        return self.path.relative_to(FIXTURES_ROOT).as_posix()

    @cached_property
    def lines(self) -> list[str]:
        return self.path.read_text(encoding="utf-8").split("\n")

    @cached_property
    def expectations(self) -> Counter[Expectation]:
        expected: Counter[Expectation] = Counter()
        for number, line in enumerate(self.lines, start=1):
            match = _EXPECT.search(line)
            if match:
                expected.update((number, code.strip()) for code in match.group(1).split(","))
        return expected

    @property
    def runnable(self) -> bool:
        return bool(self.lines) and self.lines[0].strip() == "// runnable"


def all_fixtures() -> list[Fixture]:
    return [Fixture(path) for path in sorted(FIXTURES_ROOT.rglob("*")) if path.suffix in SUFFIXES]
