"""Server memory over open/close cycles of documents that call a workspace helper.

Each cycle opens N new, distinct handler modules (each calls a helper in another module
of the workspace, so the cross-module path with jedi runs), waits for their diagnostics,
and closes them. One more handler module stays open all along, as in an editor, so the
workspace and what it keeps live through every cycle (without it, closing the last
document releases the whole workspace and hides what it would keep). The server's resident
memory (VmRSS, /proc) is read after a first warm-up cycle (the baseline: engine, jedi and
the helper loaded) and after every later cycle; printed as growth over the baseline and per
document opened and closed. The defaults open and close 1,000 documents of 2,000 lines.

    python benchmarks/bench_memory.py [--cycles 10] [--documents 100] [--lines 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.protocol import default_converter

TIMEOUT = 120.0
HELPER = "import threading\n\n\ndef start_flusher():\n    flusher = threading.Thread(target=print)\n    flusher.start()\n"
HANDLER = "from telemetry import start_flusher\n\n\ndef lambda_handler(event, context):\n    start_flusher()\n    return {number}\n"
FILLER = "\n\ndef shape_{n}(event):\n    items = [item for item in event.get('items', [])]\n    return {{'count': len(items), 'n': {n}}}\n"


def handler_text(number: int, lines: int) -> str:
    """A handler module of about ``lines`` lines: the handler, then plain functions."""
    return HANDLER.format(number=number) + "".join(FILLER.format(n=n) for n in range(max(0, lines - 6) // 5))


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


async def cycle(client: LanguageClient, published: dict[str, asyncio.Event], root: Path, first: int, count: int, lines: int) -> None:
    uris = []
    for number in range(first, first + count):
        path = root / f"handler_{number:05d}.py"
        text = handler_text(number, lines)
        path.write_text(text, encoding="utf-8")
        uri = path.as_uri()
        published[uri] = asyncio.Event()
        client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)))
        uris.append(uri)
    for uri in uris:
        await asyncio.wait_for(published[uri].wait(), TIMEOUT)
    for uri in uris:
        client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
        del published[uri]


async def run(cycles: int, documents: int, lines: int) -> list[float]:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "pyproject.toml").write_text('[project]\nname = "memory-bench"\nversion = "0"\n', encoding="utf-8")
        (root / "telemetry.py").write_text(HELPER, encoding="utf-8")
        client = LanguageClient("memory-bench", "1", converter_factory=default_converter)
        published: dict[str, asyncio.Event] = {}

        @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def publish(params: types.PublishDiagnosticsParams) -> None:
            if params.uri in published and params.diagnostics:
                published[params.uri].set()

        await client.start_io(sys.executable, "-m", "leak_lsp", "serve")
        pid = client._server.pid  # type: ignore[union-attr]
        await client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities(), root_uri=root.as_uri()))
        client.initialized(types.InitializedParams())
        anchor = root / "anchor.py"
        anchor.write_text(handler_text(-1, lines), encoding="utf-8")
        published[anchor.as_uri()] = asyncio.Event()
        client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
            uri=anchor.as_uri(), language_id="python", version=1, text=anchor.read_text(encoding="utf-8"))))
        await asyncio.wait_for(published[anchor.as_uri()].wait(), TIMEOUT)
        figures = []
        for number in range(cycles + 1):
            await cycle(client, published, root, number * documents, documents, lines)
            await asyncio.sleep(0.5)  # let the closes be handled
            figures.append(rss_mb(pid))
        await client.shutdown_async(None)
        client.exit(None)
        await client.stop()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cycles", type=int, default=10)
    parser.add_argument("--documents", type=int, default=100)
    parser.add_argument("--lines", type=int, default=2000, help="lines per document")
    args = parser.parse_args()
    figures = asyncio.run(run(args.cycles, args.documents, args.lines))
    baseline = figures[0]
    print(f"{args.cycles} cycles of {args.documents} distinct {args.lines}-line documents, each calling a workspace helper;"
          f" one more stays open\n")
    print(f"baseline after the warm-up cycle: {baseline:7.1f} MB")
    for number, rss in enumerate(figures[1:], 1):
        print(f"after cycle {number:3d} ({number * args.documents:5d} documents): {rss:7.1f} MB  (+{rss - baseline:6.1f} MB)")
    opened = args.cycles * args.documents
    print(f"\ngrowth per document opened and closed: {(figures[-1] - baseline) / opened * 1024:.1f} kB")


if __name__ == "__main__":
    main()
