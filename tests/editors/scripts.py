"""The JavaScript and TypeScript handlers the real-editor tests open: each leak starts after
non-ASCII text on its line ("ç" is 2 UTF-8 bytes and one UTF-16 unit, the emoji 4 bytes and
two UTF-16 units), so a column computed in the wrong unit lands elsewhere."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.editors.conftest import column_in

JAVASCRIPT = """\
// A receipt logged five seconds later: the timer outlives the invocation.
exports.handler = async (event) => {
  const label = "reçu 📨"; setTimeout(() => console.log(label, event.id), 5000);
  return label;
};
"""
TYPESCRIPT = """\
interface OrderEvent { id: string }

export const handler = async (event: OrderEvent): Promise<string> => {
  const label: string = `reçu 📨 ${event.id}`; void fetch("https://audit.example.com/" + label);
  return label;
};
"""


@dataclass(frozen=True)
class Script:
    """One handler file, the leaking call in it and the code the editor must show there."""

    name: str
    text: str
    flagged_call: str
    code: str

    @property
    def line(self) -> int:
        """0-based line of the flagged call."""
        return next(index for index, line in enumerate(self.text.splitlines()) if self.flagged_call in line)

    def column(self, encoding: str) -> int:
        """0-based column of the flagged call in units of `encoding` (utf-8, utf-16, utf-32)."""
        line = self.text.splitlines()[self.line]
        return column_in(line, line.index(self.flagged_call), encoding)

    def expected(self, encoding: str) -> list[dict[str, object]]:
        return [{"code": self.code, "line": self.line, "column": self.column(encoding)}]

    def write(self, folder: Path) -> Path:
        path = folder / self.name
        path.write_text(self.text, encoding="utf-8")
        return path


SCRIPTS = [Script("handler.js", JAVASCRIPT, "setTimeout(", "EL102"), Script("handler.ts", TYPESCRIPT, "fetch(", "EL106")]
scripts = pytest.mark.parametrize("script", SCRIPTS, ids=[script.name for script in SCRIPTS])
