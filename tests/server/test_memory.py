"""Closing documents gives their memory back: jedi scripts, parsed trees and helper
summaries are released when no open document needs them (issue 13.5). At scale:
benchmarks/bench_memory.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from pytest_lsp import LanguageClient

from .conftest import CONFIG, _start
from .editor import Editor

HELPER = "import threading\n\n\ndef start_flusher():\n    flusher = threading.Thread(target=print)\n    flusher.start()\n"
FILLER = "\n\ndef shape_{n}(event):\n    items = [item for item in event.get('items', [])]\n    return {{'count': len(items), 'n': {n}}}\n"
CYCLES, DOCUMENTS, FILLERS = 4, 6, 160  # documents of about 800 lines: about 1.6 MB each was kept before
ALLOWED_GROWTH_MB = 6.0  # over the two cycles after the first (which also warms caches); what was kept before is about 19 MB


def handler(number: int) -> str:
    head = f"from telemetry import start_flusher\n\n\ndef lambda_handler(event, context):\n    start_flusher()\n    return {number}\n"
    return head + "".join(FILLER.format(n=n) for n in range(FILLERS))


def rss_mb(pid: int) -> float:
    line = next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


@pytest_lsp.fixture(config=CONFIG, params=["visual-studio-code"])
async def lsp_push(lsp_client: LanguageClient, request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "memory"\n', encoding="utf-8")
    (tmp_path / "telemetry.py").write_text(HELPER, encoding="utf-8")
    await _start(lsp_client, request, tmp_path)
    yield
    await lsp_client.shutdown_session()


async def open_and_close(editor: Editor, folder: Path, first: int) -> None:
    uris = []
    for number in range(first, first + DOCUMENTS):
        path = folder / f"handler_{number}.py"
        path.write_text(handler(number), encoding="utf-8")
        editor.open(path.as_uri(), path.read_text(encoding="utf-8"))
        uris.append(path.as_uri())
    for uri in uris:
        assert [d.code for d in await editor.diagnostics(uri)] == ["EL101"]  # the helper was followed
    for uri in uris:
        editor.close(uri)


async def test_memory_returns_near_its_level_after_documents_are_closed(tmp_path: Path, lsp_push: LanguageClient) -> None:
    editor: Editor = lsp_push.editor  # type: ignore[attr-defined]
    pid = lsp_push._server.pid  # type: ignore[attr-defined]
    figures = []
    for cycle in range(CYCLES):
        await open_and_close(editor, tmp_path, cycle * DOCUMENTS)
        await editor.diagnostics(editor_probe(editor, tmp_path))  # a round trip: the closes have been handled
        figures.append(rss_mb(pid))
    assert figures[-1] - figures[1] < ALLOWED_GROWTH_MB, figures


def editor_probe(editor: Editor, folder: Path) -> str:
    """A small document opened (and left open) to make one request after the closes."""
    path = folder / "probe.py"
    uri = path.as_uri()
    if uri in editor.texts:
        editor.replace_all(uri, editor.texts[uri] + "\n")
    else:
        path.write_text("def lambda_handler(event, context):\n    return 1\n", encoding="utf-8")
        editor.open(uri, path.read_text(encoding="utf-8"))
    return uri
