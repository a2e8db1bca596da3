"""A realistic generated handler module, shared by the benchmarks."""

from __future__ import annotations

_HEADER = '''import asyncio
import signal
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed

EXECUTOR = ThreadPoolExecutor(max_workers=4)
'''

_BLOCK = '''

def helper_{n}(items):
    results = []
    for item in items:
        if item is None:
            continue
        results.append(str(item).upper())
    return results


def handler_{n}(event, context):
    worker = threading.Thread(target=helper_{n}, args=(event["items"],))
    worker.start()
    futures = [EXECUTOR.submit(helper_{n}, [x]) for x in event["items"]]
    for future in as_completed(futures):
        future.result()
    signal.alarm(5)
    try:
        if event.get("fast"):
            return {{"statusCode": 200}}
        output = subprocess.run(["true"], check=False)
    finally:
        signal.alarm(0)
    worker.join()
    return {{"statusCode": 200, "code": output.returncode}}
'''


def generated_module(lines: int = 5000) -> str:
    """About ``lines`` lines of handlers and helpers."""
    parts = [_HEADER]
    count = 0
    while sum(part.count("\n") for part in parts) < lines:
        parts.append(_BLOCK.format(n=count))
        count += 1
    return "".join(parts)
