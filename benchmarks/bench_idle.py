"""What an idle editor costs the server: CPU time over an idle window, and pull latency.

A generated workspace of N handler modules (one leak each) is opened in a client that
behaves as VS Code does with pull diagnostics: every module is opened and pulled once
(``textDocument/diagnostic``), and ``workspace/diagnostic`` is asked again, with the
previous result ids, as soon as the previous pull is answered. Then nothing happens for
the idle window, and the server's CPU time (user + system, from /proc) is read before
and after it.

Printed, all from the same run:
- the cold workspace pull (every file analysed) and a pull with nothing changed sent
  without previous result ids (answered from the per-file cache), and their ratio;
- the server's CPU over the idle window as a share of one core (goal: under 2 %),
  beside the same server's CPU over an equal window with no client activity at all
  (the floor), and how many workspace pulls were answered meanwhile.

    python benchmarks/bench_idle.py [--handlers 300] [--seconds 60]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.protocol import default_converter

TIMEOUT = 600.0

MODULE = '''import threading
from concurrent.futures import ThreadPoolExecutor

POOL = ThreadPoolExecutor(max_workers=2)


def lambda_handler(event, context):
    threading.Thread(target=print, args=(event,)).start()
    return {{"status": 200, "module": {n}}}


def settled_handler(event, context):
    future = POOL.submit(len, event.get("items", []))
    return {{"count": future.result()}}
'''


def generate_workspace(root: Path, handlers: int) -> list[Path]:
    (root / "pyproject.toml").write_text('[project]\nname = "idle-bench"\nversion = "0"\n', encoding="utf-8")
    folder = root / "functions"
    folder.mkdir()
    paths = []
    for number in range(handlers):
        path = folder / f"handler_{number:03d}.py"
        path.write_text(MODULE.format(n=number), encoding="utf-8")
        paths.append(path)
    return paths


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def capabilities() -> types.ClientCapabilities:
    """VS Code's pull-diagnostics capabilities (refresh included), without file watchers."""
    return types.ClientCapabilities(
        text_document=types.TextDocumentClientCapabilities(diagnostic=types.DiagnosticClientCapabilities(related_document_support=True)),
        workspace=types.WorkspaceClientCapabilities(diagnostics=types.DiagnosticWorkspaceClientCapabilities(refresh_support=True)),
    )


class RePuller:
    """Asks workspace/diagnostic again as soon as the previous pull is answered."""

    def __init__(self, client: LanguageClient) -> None:
        self.client = client
        self.previous: dict[str, str] = {}
        self.answered = 0
        self.stopping = False
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.ensure_future(self._loop())

    async def stop(self, wake: Path) -> None:
        """End after the pull in flight, which an edit moving a finding releases."""
        self.stopping = True
        document = types.VersionedTextDocumentIdentifier(uri=wake.as_uri(), version=2)
        change = types.TextDocumentContentChangePartial(range=types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)), text="\n")
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(text_document=document, content_changes=[change]))
        if self._task is not None:
            await asyncio.wait_for(self._task, TIMEOUT)

    async def _loop(self) -> None:
        while not self.stopping:
            ids = [types.PreviousResultId(uri=uri, value=value) for uri, value in self.previous.items()]
            report = await self.client.workspace_diagnostic_async(types.WorkspaceDiagnosticParams(previous_result_ids=ids))
            self.answered += 1
            for item in report.items:
                if item.result_id is not None:
                    self.previous[item.uri] = item.result_id


async def timed_pull(client: LanguageClient) -> tuple[float, int]:
    started = time.perf_counter()
    report = await asyncio.wait_for(client.workspace_diagnostic_async(types.WorkspaceDiagnosticParams(previous_result_ids=[])), TIMEOUT)
    return time.perf_counter() - started, len(report.items)


async def run(handlers: int, seconds: float) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        paths = generate_workspace(root, handlers)
        client = LanguageClient("idle-bench", "1", converter_factory=default_converter)

        held: list[str] = []

        @client.feature(types.WORKSPACE_DIAGNOSTIC_REFRESH)
        def refresh(params: None) -> None:
            return None

        @client.feature(types.WINDOW_LOG_MESSAGE)
        def log_message(params: types.LogMessageParams) -> None:
            held.append(params.message)

        await client.start_io(sys.executable, "-m", "leak_lsp", "serve")
        pid = client._server.pid  # type: ignore[union-attr]
        params = types.InitializeParams(capabilities=capabilities(), root_uri=root.as_uri(),
                                        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="bench")])
        await asyncio.wait_for(client.initialize_async(params), TIMEOUT)
        client.initialized(types.InitializedParams())

        cold, listed = await timed_pull(client)
        warm, _ = await timed_pull(client)

        for path in paths:
            item = types.TextDocumentItem(uri=path.as_uri(), language_id="python", version=1, text=path.read_text(encoding="utf-8"))
            client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=item))
        for path in paths:
            document = types.TextDocumentIdentifier(uri=path.as_uri())
            await asyncio.wait_for(client.text_document_diagnostic_async(types.DocumentDiagnosticParams(text_document=document)), TIMEOUT)
        open_warm, _ = await timed_pull(client)

        floor_start = cpu_seconds(pid)
        await asyncio.sleep(seconds)
        floor = cpu_seconds(pid) - floor_start

        puller = RePuller(client)
        puller.start()
        while puller.answered == 0:  # the first re-pull, with no previous ids, is answered at once
            await asyncio.sleep(0.05)
        idle_start, answered_before = cpu_seconds(pid), puller.answered
        await asyncio.sleep(seconds)
        idle = cpu_seconds(pid) - idle_start
        answered = puller.answered - answered_before
        await puller.stop(paths[0])

        await asyncio.wait_for(client.shutdown_async(None), TIMEOUT)
        client.exit(None)
        await client.stop()

    print(f"workspace: {handlers} handler modules ({listed} listed); idle window {seconds:.0f} s; {os.cpu_count()} CPUs\n")
    print(f"cold workspace pull (every file analysed):       {cold * 1000:8.0f} ms")
    print(f"pull with nothing changed, files closed (cache): {warm * 1000:8.0f} ms   ratio to cold {warm / cold:.3f}")
    print(f"pull with nothing changed, all files open:       {open_warm * 1000:8.0f} ms   ratio to cold {open_warm / cold:.3f}")
    print(f"server CPU, idle, no client activity (floor):    {floor / seconds * 100:8.2f} % of a core")
    print(f"server CPU, idle, client re-pulling like VS Code:{idle / seconds * 100:8.2f} % of a core   (goal < 2 %; "
          f"{answered} pulls answered in the window)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--handlers", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    asyncio.run(run(args.handlers, args.seconds))


if __name__ == "__main__":
    main()
