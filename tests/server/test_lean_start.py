"""``serve`` answers ``initialize`` with only the LSP stack loaded: the analysis engine, jedi,
tree-sitter and the other subcommands' modules are imported later, if at all (issue 10.4).

A behaviour test on what is imported, not a timing test (``benchmarks/bench_server.py`` times it).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from .wire import WireServer

LATER = ("jedi", "parso", "tree_sitter", "leak_lsp.analysis.engine", "leak_lsp.runtime", "leak_lsp.flow")
_IMPORTED = re.compile(r"^import time:\s+\d+ \|\s+\d+ \|\s*(\S+)", re.MULTILINE)


def test_initialize_is_answered_before_the_analysis_engine_jedi_or_tree_sitter_are_imported(tmp_path: Path) -> None:
    log = tmp_path / "importtime.txt"
    with log.open("wb") as stderr:
        server = WireServer([sys.executable, "-X", "importtime", "-m", "leak_lsp", "serve"], stderr)
        try:
            response = server.request("initialize", {"processId": None, "rootUri": tmp_path.as_uri(), "capabilities": {}})
            imported = set(_IMPORTED.findall(log.read_text(encoding="utf-8")))
            server.request("shutdown")
            server.notify("exit")
            server.wait()
        finally:
            server.kill()

    assert "capabilities" in response["result"]
    assert "leak_lsp.server.app" in imported and "lsprotocol.types" in imported  # the measurement works
    assert not {name for name in imported if name.startswith(LATER)}
