"""Cross-module analysis of a generated project: 200 modules, 50 handlers, one shared helper.

Prints the time to analyse every handler module cold (fresh workspace: jedi resolution
and helper summaries computed), then again after a one-line edit in the shared helper
(only what depends on it is recomputed), and the ratio between the two. Run:
``python benchmarks/bench_project.py``.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from leak_lsp.analysis import analyze_file
from leak_lsp.project.workspace import Workspace

HANDLERS = 50
HELPERS = 149  # plus the shared module: 200 modules in all

SHARED = '''import threading


def start_flusher(batch):
    flusher = threading.Thread(target=print, args=(batch,))
    flusher.start()
    return flusher


def wait_all(threads):
    for thread in threads:
        thread.join()
'''

HELPER = '''from shared.common import start_flusher


def process_{n}(records):
    batch = [record for record in records if record]
    return start_flusher(batch)
'''

HANDLER = '''from helpers.helper_{n} import process_{n}
from shared.common import wait_all


def lambda_handler(event, context):
    flusher = process_{n}(event["records"])
    wait_all([flusher])
    return {{"statusCode": 200}}
'''


def build(root: Path) -> list[Path]:
    (root / "pyproject.toml").write_text("[project]\nname = 'generated'\n")
    for folder in ("shared", "helpers", "handlers"):
        (root / folder).mkdir()
        (root / folder / "__init__.py").write_text("")
    (root / "shared" / "common.py").write_text(SHARED)
    for n in range(HELPERS):
        (root / "helpers" / f"helper_{n}.py").write_text(HELPER.format(n=n))
    handlers = []
    for n in range(HANDLERS):
        path = root / "handlers" / f"handler_{n}.py"
        path.write_text(HANDLER.format(n=n))
        handlers.append(path)
    return handlers


def analyse_all(handlers: list[Path], workspace: Workspace) -> tuple[float, int]:
    start = time.perf_counter()
    findings = sum(len(analyze_file(path, workspace=workspace).findings) for path in handlers)
    return time.perf_counter() - start, findings


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        handlers = build(root)
        workspace = Workspace(root)
        cold, cold_findings = analyse_all(handlers, workspace)
        shared = root / "shared" / "common.py"
        shared.write_text(SHARED.replace("    for thread in threads:\n        thread.join()\n", "    pass\n"))
        workspace.invalidate(shared)
        edited, edited_findings = analyse_all(handlers, workspace)
    print(f"project: {HELPERS + 1} helper modules, {HANDLERS} handler modules")
    print(f"cold            {cold * 1000:8.0f} ms  ({cold_findings} findings)")
    print(f"after the edit  {edited * 1000:8.0f} ms  ({edited_findings} findings: wait_all no longer joins)")
    print(f"ratio           {edited / cold:8.2f}x of cold")


if __name__ == "__main__":
    main()
