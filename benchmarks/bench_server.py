"""Editor latency of leak-lsp's server against python-lsp-server (pyflakes) and ruff's server, in one run.

On a generated 5,000-line module dense with handlers and on a 200-line handler file, for each server:
- start-up: process start -> ``initialize`` answered (the client sends it at once, so
  this is mostly the interpreter and pygls/lsprotocol loading), and ``initialize``
  answered -> first diagnostics of a file opened right after ``initialized``;
- edits: ``didChange`` sent -> diagnostics published for that version, over N single-character
  edits inside function bodies spread over the module (p50 and p90).

Before the servers run, where ``leak-lsp serve``'s start-up goes: the import time of the server
(``python -X importtime``), by top-level package.

All servers are driven as a push client (no pull capability). python-lsp-server and ruff are
optional: install them with ``pip install 'python-lsp-server[pyflakes]' ruff``; a missing one is
left out, and the benchmark says so. Note that pylsp waits 0.5 s after an
edit before linting (its ``LINT_DEBOUNCE_S``), and leak-lsp waits up to 80 ms (no longer than the
document's last analysis) when an edit follows another within that wait: this benchmark sends each edit
after the last one's diagnostics, as a keystroke after a pause, which leak-lsp analyses at once. Both
waits are part of what a user sees, so both are part of the numbers.

    python benchmarks/bench_server.py [--edits 30] [--lines 5000] [--compare CHECKOUT]

``--compare`` adds the server of another checkout of leak-lsp (a folder holding its ``leak_lsp``
package, e.g. ``git archive BASE leak_lsp | tar -x -C /tmp/base``), run by the same interpreter,
so a change is measured against what it changes in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import importlib.util
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.protocol import LanguageServerProtocol, default_converter

TIMEOUT = 60.0
PYLSP_SETTINGS = {
    "pylsp": {
        "plugins": {
            name: {"enabled": name == "pyflakes"}
            for name in (
                "pyflakes", "pycodestyle", "mccabe", "pydocstyle", "pylint", "flake8", "autopep8",
                "yapf", "jedi_completion", "jedi_definition", "jedi_hover", "jedi_references",
                "jedi_signature_help", "jedi_symbols", "rope_autoimport", "rope_completion", "preload",
            )
        }
    }
}  # fmt: skip

DOCSTRING = '    """Handler'
HANDLER = '''
def handler_{n}(event, context):
    """Handler number {n}."""
    worker = threading.Thread(target=work_{n}, args=(event,))
    worker.start()
    try:
        if event.get("fast"):
            return {{"status": 202}}
        results = [item * 2 for item in event.get("items", [])]
        return {{"status": 200, "count": len(results)}}
    finally:
        worker.join()


def work_{n}(event):
    total = 0
    for key, value in event.items():
        total += len(str(key)) + len(str(value))
    return total

'''


def generate_module(lines: int) -> str:
    """A module of the requested length: one leaking Lambda handler and many settled ones."""
    parts = ["import threading\n\n\n", "def lambda_handler(event, context):\n    threading.Thread(target=print).start()\n    return 1\n\n"]
    number = 0
    while sum(part.count("\n") for part in parts) < lines:
        parts.append(HANDLER.format(n=number))
        number += 1
    return "".join(parts)


@dataclass
class Recorder:
    """Publications as they arrive: (uri, version) -> arrival time."""

    arrivals: dict[tuple[str, int | None], float] = field(default_factory=dict)
    any_arrival: asyncio.Event = field(default_factory=asyncio.Event)
    versioned: bool = False  # the server says which version its diagnostics are for

    def record(self, params: types.PublishDiagnosticsParams) -> None:
        self.versioned = self.versioned or params.version is not None
        self.arrivals.setdefault((params.uri, params.version), time.perf_counter())
        self.arrivals[(params.uri, None)] = time.perf_counter()
        self.any_arrival.set()

    async def wait_for(self, uri: str, version: int, since: float, versioned: bool) -> float:
        """Seconds from ``since`` to the diagnostics of ``version`` (or the next ones when unversioned)."""
        key = (uri, version if versioned else None)
        while key not in self.arrivals or self.arrivals[key] < since:
            self.any_arrival.clear()
            await asyncio.wait_for(self.any_arrival.wait(), TIMEOUT)
        return self.arrivals[key] - since


class UntypedInitializeProtocol(LanguageServerProtocol):
    """Reads the ``initialize`` reply as plain JSON: lsprotocol 2025 cannot read pylsp's
    notebook capabilities, and the benchmark needs none of them."""

    def get_result_type(self, method: str) -> type | None:
        return None if method == types.INITIALIZE else super().get_result_type(method)


def bench_client(name: str, recorder: Recorder, settings: object | None) -> LanguageClient:
    """A client that records published diagnostics and answers configuration requests with ``settings``."""
    client = LanguageClient(name, "1", protocol_cls=UntypedInitializeProtocol, converter_factory=default_converter)

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def publish(params: types.PublishDiagnosticsParams) -> None:
        recorder.record(params)

    @client.feature(types.WORKSPACE_CONFIGURATION)
    def configuration(params: types.ConfigurationParams) -> list[object]:
        return [settings.get(item.section or "") if isinstance(settings, dict) else None for item in params.items]

    return client


def initialize_params(folder: Path) -> types.InitializeParams:
    """Versioned push diagnostics and configuration requests, rooted at ``folder``."""
    capabilities = types.ClientCapabilities(
        text_document=types.TextDocumentClientCapabilities(publish_diagnostics=types.PublishDiagnosticsClientCapabilities(version_support=True)),
        workspace=types.WorkspaceClientCapabilities(configuration=True),
    )
    return types.InitializeParams(capabilities=capabilities, root_uri=folder.as_uri())


@dataclass
class Result:
    name: str
    start_to_initialized: float
    initialize_to_first_diagnostics: float
    edit_latencies: list[float]

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.edit_latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def measure(name: str, command: list[str], source: str, edits: int, settings: object | None,
                  env: dict[str, str] | None = None) -> Result:
    recorder = Recorder()
    client = bench_client("bench-client", recorder, settings)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "generated_handlers.py"
        path.write_text(source, encoding="utf-8")
        uri = path.as_uri()
        started = time.perf_counter()
        await client.start_io(*command, env=env, cwd=folder)  # not the checkout: ``-m leak_lsp`` would import it
        initialize = client.initialize_async(initialize_params(Path(folder)))
        await asyncio.wait_for(initialize, TIMEOUT)
        initialized = time.perf_counter()
        client.initialized(types.InitializedParams())
        if settings is not None:
            client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=settings))
        client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=source)))
        first = await recorder.wait_for(uri, 1, initialized, versioned=False)
        versioned = recorder.versioned
        latencies = []
        lines = [number for number, text in enumerate(source.split("\n")) if text.startswith(DOCSTRING)]
        for version in range(2, edits + 2):
            # A character typed into a handler's docstring, then deleted; the next pair in another handler.
            line = lines[((version - 2) // 2 * 7) % len(lines)]
            column = len(DOCSTRING)
            if version % 2 == 0:
                change = _change(line, column, line, column, "x")
            else:
                change = _change(line, column, line, column + 1, "")
            sent = time.perf_counter()
            client.text_document_did_change(
                types.DidChangeTextDocumentParams(text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version), content_changes=[change])
            )
            latencies.append(await recorder.wait_for(uri, version, sent, versioned))
        await client.shutdown_async(None)
        client.exit(None)
        await client.stop()
    return Result(name, initialized - started, first, latencies)


def _change(line: int, character: int, end_line: int, end_character: int, text: str) -> types.TextDocumentContentChangePartial:
    span = types.Range(start=types.Position(line=line, character=character), end=types.Position(line=end_line, character=end_character))
    return types.TextDocumentContentChangePartial(range=span, text=text)


def report(results: list[Result]) -> None:
    """The figures of each server, and leak-lsp's as ratios to each other server's."""
    width = max(len(result.name) for result in results) + 2
    print(f"{'server':<{width}} {'start->init':>12} {'init->diag':>11} {'edit p50':>9} {'edit p90':>9}")
    print(f"{'':<{width}} {'(process up)':>12} {'(opened)':>11} {'(didChange -> its diagnostics)':>19}")
    for result in results:
        print(
            f"{result.name:<{width}} {result.start_to_initialized * 1000:>10.0f}ms {result.initialize_to_first_diagnostics * 1000:>9.0f}ms"
            f" {result.percentile(0.5) * 1000:>7.0f}ms {result.percentile(0.9) * 1000:>7.0f}ms"
        )
    ours = results[0]
    for theirs in results[1:]:
        print(f"leak-lsp / {theirs.name}: edit p50 {ours.percentile(0.5) / theirs.percentile(0.5):.2f}x"
              f", p90 {ours.percentile(0.9) / theirs.percentile(0.9):.2f}x"
              f", initialize->diagnostics {ours.initialize_to_first_diagnostics / theirs.initialize_to_first_diagnostics:.2f}x")


Server = tuple[str, list[str], object | None, "dict[str, str] | None"]  # name, command, settings, environment


def servers(compare: str | None) -> list[Server]:
    """leak-lsp, the checkout to compare it with, and the other servers that are installed."""
    serve = [sys.executable, "-m", "leak_lsp", "serve"]
    found: list[Server] = [("leak-lsp", serve, None, None)]
    if compare is not None:
        found.append((f"leak-lsp ({Path(compare).name})", serve, None, {**os.environ, "PYTHONPATH": str(Path(compare).resolve())}))
    if importlib.util.find_spec("pylsp") is None or importlib.util.find_spec("pyflakes") is None:
        print("python-lsp-server with pyflakes is not installed: pip install 'python-lsp-server[pyflakes]'")
    else:
        found.append(("pylsp+pyflakes", [sys.executable, "-m", "pylsp"], PYLSP_SETTINGS, None))
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    if not Path(ruff).exists():
        print("ruff is not installed: pip install ruff")
    else:
        found.append(("ruff server", [ruff, "server"], None, None))
    return found


def import_times() -> None:
    """What importing the server costs, by top-level package (self times summed), largest first."""
    run = subprocess.run([sys.executable, "-X", "importtime", "-c", "import leak_lsp.server.app"], capture_output=True, text=True, check=True)
    totals: collections.Counter[str] = collections.Counter()
    for self_time, name in re.findall(r"^import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)", run.stderr, re.MULTILINE):
        totals[name.split(".")[0]] += int(self_time)
    shown = ", ".join(f"{name} {micros / 1000:.0f}ms" for name, micros in totals.most_common(5))
    print(f"importing leak-lsp's server: {sum(totals.values()) / 1000:.0f}ms in all; {shown}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--lines", type=int, nargs="+", default=[5000, 200])
    parser.add_argument("--compare", metavar="CHECKOUT", help="also run the leak-lsp server of this checkout")
    args = parser.parse_args()
    import_times()
    for lines in args.lines:
        source = generate_module(lines)
        print(f"\nmodule: {source.count(chr(10))} lines; {args.edits} edits per server")
        results = [await measure(name, command, source, args.edits, settings, env)
                   for name, command, settings, env in servers(args.compare)]
        report(results)
        print(f"mean leak-lsp edit latency: {statistics.mean(results[0].edit_latencies) * 1000:.0f}ms")


if __name__ == "__main__":
    asyncio.run(main())
