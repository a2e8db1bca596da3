"""Cost of ``@guard`` per invocation of a trivial handler, against the bare call in the same run.

Run: ``python benchmarks/bench_guard.py [CALLS]``. The target is under 50 microseconds of
overhead per invocation; the script prints the difference and the ratio, it asserts nothing.
"""

from __future__ import annotations

import asyncio
import sys
import timeit
from collections.abc import Callable
from typing import Any

from leak_lsp.runtime import guard

REPEATS = 5


def trivial_handler(event: Any, context: Any) -> Any:
    return event


async def trivial_async_handler(request: Any) -> Any:
    return request


def best_seconds_per_call(call: Callable[[], Any], calls: int) -> float:
    return min(timeit.repeat(call, number=calls, repeat=REPEATS)) / calls


def report(name: str, bare: float, guarded: float) -> None:
    print(f"{name:<6} bare {bare * 1e6:8.3f} us   guarded {guarded * 1e6:8.3f} us   "
          f"overhead {(guarded - bare) * 1e6:8.3f} us per invocation   ratio {guarded / bare:6.2f}x")


def main() -> None:
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    guarded_handler = guard(trivial_handler)
    report("sync", best_seconds_per_call(lambda: trivial_handler({}, None), calls),
           best_seconds_per_call(lambda: guarded_handler({}, None), calls))

    guarded_async = guard(trivial_async_handler)
    loop = asyncio.new_event_loop()
    async_calls = max(calls // 10, 1)
    report("async", best_seconds_per_call(lambda: loop.run_until_complete(trivial_async_handler({})), async_calls),
           best_seconds_per_call(lambda: loop.run_until_complete(guarded_async({})), async_calls))
    loop.close()


if __name__ == "__main__":
    main()
