"""Start-up of leak-lsp's server against python-lsp-server (pyflakes) and ruff's server, in one run.

For each server, several starts alternated between the servers (so that a burst of load on the
machine falls on all of them), each measuring:
- process start -> ``initialize`` answered (the client sends it at once);
- ``initialize`` answered -> first diagnostics of a file opened right after ``initialized``;
- process start -> first diagnostics (the sum: what a user waits for after opening the editor).
Medians and ranges are printed, then leak-lsp's medians as ratios to each other server's.

Before that, what ``leak-lsp serve`` has imported by the time it answers ``initialize``
(``python -X importtime``, the process stopped as soon as the reply arrives), by top-level package.

    python benchmarks/bench_start.py [--starts 7] [--lines 200 5000] [--compare CHECKOUT]

``--compare`` adds the server of another checkout of leak-lsp (as in bench_server.py).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench_server import TIMEOUT, Recorder, Server, bench_client, generate_module, initialize_params, servers
from lsprotocol import types


@dataclass
class Start:
    to_initialize: float
    to_diagnostics: float  # from the initialize reply
    cpu_to_initialize: float  # the server's CPU time (all threads) when its reply arrived
    cpu_to_diagnostics: float  # ... and when its first diagnostics arrived

    @property
    def total(self) -> float:
        return self.to_initialize + self.to_diagnostics


def cpu_seconds(pid: int) -> float:
    """User and system time of a process so far (Linux /proc): unlike wall time, hardly
    changed by other jobs on a loaded machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def start_once(command: list[str], source: str, settings: object | None, env: dict[str, str] | None) -> Start:
    recorder = Recorder()
    client = bench_client("bench-start", recorder, settings)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "handlers.py"
        path.write_text(source, encoding="utf-8")
        uri = path.as_uri()
        params = initialize_params(Path(folder))
        started = time.perf_counter()
        await client.start_io(*command, env=env, cwd=folder)
        await asyncio.wait_for(client.initialize_async(params), TIMEOUT)
        initialized = time.perf_counter()
        pid = client._server.pid  # type: ignore[union-attr]
        cpu_initialized = cpu_seconds(pid)
        client.initialized(types.InitializedParams())
        if settings is not None:
            client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=settings))
        client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=source)))
        first = await recorder.wait_for(uri, 1, initialized, versioned=False)
        cpu_first = cpu_seconds(pid)
        await client.shutdown_async(None)
        client.exit(None)
        await client.stop()
    return Start(initialized - started, first, cpu_initialized, cpu_first)


def imported_before_initialize(env: dict[str, str] | None = None) -> collections.Counter[str]:
    """Self import time (µs) by top-level package of what ``serve`` imported before answering ``initialize``."""
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"processId": None, "rootUri": None, "capabilities": {}}}).encode()
    with tempfile.TemporaryDirectory() as folder, tempfile.TemporaryFile() as log:
        server = subprocess.Popen([sys.executable, "-X", "importtime", "-m", "leak_lsp", "serve"], cwd=folder, env=env,
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log)
        try:
            assert server.stdin is not None and server.stdout is not None
            server.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            server.stdin.flush()
            reply = b""
            while b'"capabilities"' not in reply:
                chunk = os.read(server.stdout.fileno(), 65536)
                if not chunk:
                    raise RuntimeError("the server ended before answering initialize")
                reply += chunk
            server.kill()  # at once: what it imports after the reply does not count
        finally:
            server.kill()
            server.wait()
        log.seek(0)
        text = log.read().decode("utf-8", "replace")
    totals: collections.Counter[str] = collections.Counter()
    for self_time, name in re.findall(r"^import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)", text, re.MULTILINE):
        totals[name.split(".")[0]] += int(self_time)
    return totals


def describe(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:6.0f}ms ({min(values) * 1000:.0f}-{max(values) * 1000:.0f})"


async def compare(found: list[Server], source: str, starts: int) -> None:
    measured: dict[str, list[Start]] = {name: [] for name, *_ in found}
    for _ in range(starts):
        for name, command, settings, env in found:
            measured[name].append(await start_once(command, source, settings, env))
    width = max(len(name) for name in measured) + 2
    print(f"{'server':<{width}} {'start->initialize':>22} {'initialize->diagnostics':>24} {'start->diagnostics':>22}   median (min-max)")
    for name, runs in measured.items():
        print(f"{name:<{width}} {describe([run.to_initialize for run in runs]):>22} {describe([run.to_diagnostics for run in runs]):>24}"
              f" {describe([run.total for run in runs]):>22}")
    print("\nserver CPU time (user+system, all threads) at the reply and at the first diagnostics:")
    for name, runs in measured.items():
        print(f"{name:<{width}} {describe([run.cpu_to_initialize for run in runs]):>22} {describe([run.cpu_to_diagnostics for run in runs]):>24}")
    ours = measured["leak-lsp"]
    for name, runs in measured.items():
        if name == "leak-lsp":
            continue
        ratios = [statistics.median(run.to_initialize for run in ours) / statistics.median(run.to_initialize for run in runs),
                  statistics.median(run.to_diagnostics for run in ours) / statistics.median(run.to_diagnostics for run in runs),
                  statistics.median(run.total for run in ours) / statistics.median(run.total for run in runs)]
        print(f"leak-lsp / {name}: start->initialize {ratios[0]:.2f}x, initialize->diagnostics {ratios[1]:.2f}x, start->diagnostics {ratios[2]:.2f}x")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--starts", type=int, default=7, help="starts per server and module size")
    parser.add_argument("--lines", type=int, nargs="+", default=[200, 5000])
    parser.add_argument("--compare", metavar="CHECKOUT", help="also run the leak-lsp server of this checkout")
    args = parser.parse_args()
    found = servers(args.compare)
    for name, _, _, env in found:
        if name.startswith("leak-lsp"):
            totals = imported_before_initialize(env)
            shown = ", ".join(f"{package} {micros / 1000:.0f}ms" for package, micros in totals.most_common(6))
            print(f"{name}: imported before answering initialize: {sum(totals.values()) / 1000:.0f}ms in all; {shown}")
    for lines in args.lines:
        source = generate_module(lines)
        print(f"\nmodule: {source.count(chr(10))} lines; {args.starts} starts per server, alternated")
        await compare(found, source, args.starts)


if __name__ == "__main__":
    asyncio.run(main())
