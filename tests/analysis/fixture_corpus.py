"""The fixture corpus under ``tests/fixtures/analysis``: files and their inline expectations.

A fixture is a realistic module. A line where a finding must start ends with
``# expect: CODE`` (or ``# expect: CODE, CODE``); every other line must stay silent.
A fixture whose first line is ``# reproduce: NAME`` holds exactly one handler, NAME,
that runs with the standard library in a fraction of a second, for the tests that
compare the static analysis with what really happens at run time.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import ClassVar

FIXTURES_ROOT = Path(__file__).resolve().parent.parent / "fixtures" / "analysis"

_EXPECT = re.compile(r"#\s*expect:\s*(EL\d{3}(?:\s*,\s*EL\d{3})*)")
_REPRODUCE = re.compile(r"#\s*reproduce:\s*([A-Za-z_][A-Za-z0-9_.]*)\s*$")

Expectation = tuple[int, str]  # (1-based line, rule code)


@dataclass(frozen=True)
class Fixture:
    path: Path
    root: ClassVar[Path] = FIXTURES_ROOT
    expect: ClassVar[re.Pattern[str]] = _EXPECT  # where a line asks for a finding

    @property
    def id(self) -> str:
        return self.path.relative_to(self.root).as_posix()

    @cached_property
    def source(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @cached_property
    def lines(self) -> list[str]:
        return self.source.split("\n")

    @cached_property
    def expectations(self) -> Counter[Expectation]:
        """Every finding the fixture asks for, as a multiset of (line, code)."""
        expected: Counter[Expectation] = Counter()
        for number, line in enumerate(self.lines, start=1):
            match = self.expect.search(line)
            if match:
                expected.update((number, code.strip()) for code in match.group(1).split(","))
        return expected

    @cached_property
    def reproduce_handler(self) -> str | None:
        """The handler named by a ``# reproduce:`` first line, or None."""
        match = _REPRODUCE.match(self.lines[0]) if self.lines else None
        return match.group(1) if match else None


def all_fixtures() -> list[Fixture]:
    return [Fixture(path) for path in sorted(FIXTURES_ROOT.rglob("*.py"))]


def runnable_fixtures() -> list[Fixture]:
    return [fixture for fixture in all_fixtures() if fixture.reproduce_handler is not None]
